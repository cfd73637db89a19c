import { TransportFailure } from '../../src/transport/transport-error.js';

/** The TransportFailure a promise rejects with; anything else (or no rejection) fails the test. */
export async function failureOf(p: Promise<unknown>): Promise<TransportFailure> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TransportFailure) return err;
    throw err;
  }
  throw new Error('expected a TransportFailure');
}
