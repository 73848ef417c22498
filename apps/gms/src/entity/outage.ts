import { HttpException } from '@nestjs/common';
import { errorMessage, redact } from '@lib/common';
import { PublishError } from '@lib/kafka';

/** A dependency (Kafka, or MySQL and its pool) failed or timed out: nothing was written, try again (a 503). */
export class DependencyUnavailable extends Error {
  override name = 'DependencyUnavailable';
}

/** Errors that are bugs in our code, never an outage: they surface as a 500 instead of "unavailable". */
const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError, EvalError];

/**
 * Runs `work`, calling a failure of a dependency an outage (DependencyUnavailable): Kafka refused or timed
 * out (PublishError), or the database or its pool failed (anything else it throws). HTTP errors pass as
 * they are, and a bug (a TypeError, say) is rethrown unchanged, so it is a 500 and seen in tests rather
 * than called an outage.
 */
export async function unavailableOnOutage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof HttpException || PROGRAMMING_ERRORS.some((kind) => e instanceof kind)) throw e;
    // The answer names no server address or path (redact); the cause keeps the whole message for the logs.
    if (e instanceof PublishError) throw new DependencyUnavailable(redact(e.message), { cause: e });
    throw new DependencyUnavailable(`storage unavailable: ${redact(errorMessage(e))}`, { cause: e });
  }
}
