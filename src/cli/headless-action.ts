import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/load-config.js';
import { headlessActionContext, type ActionContext } from '../actions/action-context.js';
import { ActionError } from '../actions/action-error.js';
import type { ActionPlan, ActionRequest } from '../actions/action-types.js';
import { EXIT, exitCodeOfError } from '../actions/exit-codes.js';
import { planAction, validateRequest } from '../actions/action-kinds.js';
import { previewLines, resultLines } from '../actions/preview-text.js';
import { cleanReason, reasonProblem } from '../actions/reason.js';
import { runAction } from '../actions/run-action.js';
import { planUndoLast } from '../actions/undo.js';

export interface ActionOptions {
  config: string;
  readOnly?: boolean;
  acceptNew?: boolean;
  yes?: boolean;
  confirmName?: string;
  json?: boolean;
  reason?: string;
  force?: boolean;
}

export type Load = (file: string) => Promise<ResolvedConfig>;

/** Ask on the terminal (stdin, else /dev/tty); undefined when there is none to ask on. */
async function ask(question: string): Promise<string | undefined> {
  let input: NodeJS.ReadableStream;
  try {
    input = process.stdin.isTTY ? process.stdin : createReadStream('/dev/tty');
  } catch {
    return undefined;
  }
  const rl = createInterface({ input, output: process.stderr });
  try {
    return await rl.question(question);
  } catch {
    return undefined;
  } finally {
    rl.close();
    if (input !== process.stdin) (input as ReturnType<typeof createReadStream>).destroy();
  }
}

const say = (lines: readonly string[]) => process.stderr.write(`${lines.join('\n')}\n`);

/** Bad input found after the arguments were parsed: said once, nothing sent. */
function refuseInput(opts: ActionOptions, message: string): number {
  process.stderr.write(`lvstop: ${message}; nothing was sent\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify({ error: { kind: 'bad-input', message } })}\n`);
  return EXIT.badInput;
}

/** What the reason and --force options ask that needs no host; throws bad-input. */
export function checkReasonOptions(requireReason: boolean, opts: ActionOptions, undo: boolean): void {
  if (opts.force && !cleanReason(opts.reason))
    throw new ActionError('bad-input', '--force needs --reason: say why the guard is overridden');
  // An undo may carry the original action's reason: checked once it is planned.
  const problem = reasonProblem(requireReason && !undo, opts.reason);
  if (problem) throw new ActionError('bad-input', problem);
}

/** Preview, confirm, run; prints the outcome and returns the exit code. */
async function perform(ctx: ActionContext, opts: ActionOptions, plan: () => Promise<ActionPlan>): Promise<number> {
  let planned: ActionPlan;
  try {
    planned = await plan();
  } catch (err) {
    if (!(err instanceof ActionError)) throw err;
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: { kind: err.kind, message: err.message } })}\n`);
    process.stderr.write(`lvstop: ${err.message}\n`);
    return exitCodeOfError(err.kind);
  }
  say(previewLines(planned));
  const noReason = reasonProblem(ctx.resolved.config.requireReason, cleanReason(opts.reason) ?? planned.reason);
  if (noReason) return refuseInput(opts, noReason);
  let confirmation: string | true = true;
  if (!ctx.readOnly) {
    if (planned.guard && opts.force) {
      confirmation = planned.guard.confirmName;
      process.stderr.write(`lvstop: guard forced: ${planned.guard.reason}\n`);
    } else if (planned.guard) {
      const typed =
        opts.confirmName ?? (opts.yes ? undefined : await ask(`type "${planned.guard.confirmName}" to go ahead: `));
      confirmation = typed ?? '';
    } else if (!opts.yes) {
      const answer = await ask('go ahead? [y/N] ');
      if (answer === undefined) {
        process.stderr.write('lvstop: no terminal to confirm on; pass --yes\n');
        return EXIT.refused;
      }
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stderr.write('lvstop: not confirmed; nothing was sent\n');
        return EXIT.refused;
      }
    }
  }
  const result = await runAction(ctx, planned, {
    confirmation,
    ...(opts.reason ? { reason: opts.reason } : {}),
    ...(opts.force ? { forced: true } : {}),
  });
  say(resultLines(result));
  if (opts.json)
    process.stdout.write(`${JSON.stringify({ plan: planned, result: { ...result, plan: undefined } }, null, 2)}\n`);
  return result.exitCode;
}

/** One headless action command: load the config, build and check the request, preview, confirm, run. */
export async function headless(
  command: Command,
  load: Load,
  build: (config: ResolvedConfig['config']) => ActionRequest | 'undo',
): Promise<void> {
  const opts = command.optsWithGlobals<ActionOptions>();
  const resolved = await load(opts.config);
  let request: ActionRequest | 'undo';
  try {
    request = build(resolved.config);
    if (request !== 'undo') validateRequest(resolved.config, request);
    checkReasonOptions(resolved.config.requireReason, opts, request === 'undo');
  } catch (err) {
    if (!(err instanceof ActionError)) throw err;
    process.stderr.write(`lvstop: ${err.message}\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: { kind: err.kind, message: err.message } })}\n`);
    process.exitCode = exitCodeOfError(err.kind);
    return;
  }
  const { ctx, close } = headlessActionContext(resolved, {
    readOnly: Boolean(opts.readOnly) || resolved.config.readOnly,
    ...(opts.acceptNew ? { acceptNew: true } : {}),
  });
  try {
    process.exitCode = await perform(ctx, opts, async () =>
      request === 'undo' ? (await planUndoLast(ctx)).plan : planAction(ctx, request),
    );
  } finally {
    await close();
  }
}
