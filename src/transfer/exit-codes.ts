/** Exit codes of `kickstart transfer` and `kickstart checkpoints`. */

/** The step did its job, or there was nothing to do (no checkpoint yet / no declared file). */
export const EXIT_OK = 0;
/** `checkpoints ls` could not read the staging site. */
export const EXIT_LIST_FAILED = 1;
/** Stage-in failed: the staging site was unreachable, or no generation verified. */
export const EXIT_STAGE_IN_FAILED = 20;
/** Stage-out failed: nothing new was published (the previous generation is untouched). */
export const EXIT_STAGE_OUT_FAILED = 21;
/** A usage error: a missing or bad flag (pegasus-kickstart's convention). */
export const EXIT_USAGE = 127;
