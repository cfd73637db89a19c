/**
 * Why an action could not be planned or run, as a value with a kind. Every kind maps to one exit code of the
 * headless commands (see README.md in this folder).
 */
export type ActionErrorKind =
  /** Unknown cluster, director, service, real server, scheduler; a weight out of range. Nothing was sent. */
  | 'bad-input'
  /** The live state makes the action impossible (keepalived not running, no track file to write). */
  | 'refused'
  /** The state already is what was asked for. */
  | 'nothing-to-do'
  /** A host could not be reached or a read command failed. */
  | 'host';

export class ActionError extends Error {
  readonly kind: ActionErrorKind;
  /** The host the failure happened on, when there is one. */
  readonly host: string | undefined;

  constructor(kind: ActionErrorKind, message: string, host?: string) {
    super(message);
    this.name = 'ActionError';
    this.kind = kind;
    this.host = host;
  }
}

export const badInput = (message: string): ActionError => new ActionError('bad-input', message);
