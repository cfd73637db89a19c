import type { ConsoleActions } from '../../components/console-actions.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { consoleActions } from '../console-actions.js';
import type { Fleet } from '../poller/fleet.js';

/**
 * The console's action layer (consoleActions: plan, confirm, compare-and-set, verify, audit) over serve's one set of
 * connections, with the audit log naming `operator`. consoleActions takes the operator from $USER when it is made
 * (operatorName: `$USER@host`), so it is made once per operator with USER set for that synchronous call only.
 */
export function operatorActionsFactory(resolved: ResolvedConfig, fleet: Fleet): (operator: string) => ConsoleActions {
  const made = new Map<string, ConsoleActions>();
  return (operator) => {
    let actions = made.get(operator);
    if (!actions) {
      const saved = process.env.USER;
      process.env.USER = operator;
      try {
        actions = consoleActions(resolved, fleet, false);
      } finally {
        if (saved === undefined) delete process.env.USER;
        else process.env.USER = saved;
      }
      made.set(operator, actions);
    }
    return actions;
  };
}
