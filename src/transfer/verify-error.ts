/** A generation that is not whole or not what its manifest says: stage-in rolls back past it. */
export class VerifyError extends Error {
  override name = 'VerifyError';
}
