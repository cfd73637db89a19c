import { hostname } from 'node:os';
import type { ActionLayer } from '../actions/console-contract.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { consoleActions } from '../console-actions.js';
import type { Fleet } from '../poller/fleet.js';

/**
 * The console's action layer (consoleActions: plan, confirm, compare-and-set, verify, audit) over serve's one set of
 * connections, with the audit log naming `operator`: one per operator, made on first use.
 */
export function operatorActionsFactory(resolved: ResolvedConfig, fleet: Fleet): (operator: string) => ActionLayer {
  const made = new Map<string, ActionLayer>();
  return (operator) => {
    let actions = made.get(operator);
    if (!actions) {
      // `name@servehost`, as the audit log names a local operator `user@host`.
      actions = consoleActions(resolved, fleet, false, `${operator}@${hostname()}`);
      made.set(operator, actions);
    }
    return actions;
  };
}
