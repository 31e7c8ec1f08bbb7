/** A problem with the options: the message names the flag and the fix. Nothing was run. */
export class PlanError extends Error {
  override name = 'PlanError';
}
