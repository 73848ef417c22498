/**
 * A proposal that can never succeed as sent (bad value, failed precondition). It is the client's
 * problem, not the system's: the consumer sends it to the failed-proposal topic and moves on, and
 * a synchronous write answers with `status`. Anything else thrown while writing is an outage, retried.
 */
export class ProposalRejected extends Error {
  constructor(
    message: string,
    readonly status: 400 | 409 | 412 = 400,
  ) {
    super(message);
  }
}

/** The aspect's stored version is not the one `If-Version-Match` expected. */
export class AspectVersionMismatch extends ProposalRejected {
  override name = 'AspectVersionMismatch';
  constructor(expected: string, actual: number) {
    super(`Expected version ${expected}, actual version ${actual}`, 412);
  }
}

/** The proposal itself is malformed: not JSON, unknown entity or aspect, a value failing its schema. */
export class InvalidProposal extends ProposalRejected {
  override name = 'InvalidProposal';
}

/** A PATCH proposal that does not apply to the stored value: a failed `test`, a missing path, or a result that fails the aspect's schema. */
export class PatchNotApplicable extends ProposalRejected {
  override name = 'PatchNotApplicable';
  constructor(message: string) {
    super(message, 409);
  }
}

/** The database refused to store the proposal's row (a value too long for its column, say). */
export class UnstorableProposal extends ProposalRejected {
  override name = 'UnstorableProposal';
}
