import { EXIT } from '../exit-codes.js';

/** Exit codes of `kickstart transfer` and `kickstart checkpoints`, from the one table (src/exit-codes.ts). */
export const EXIT_OK = EXIT.completed;
export const EXIT_LIST_FAILED = EXIT.listFailed;
export const EXIT_STAGE_IN_FAILED = EXIT.stageInFailed;
export const EXIT_STAGE_OUT_FAILED = EXIT.stageOutFailed;
export const EXIT_USAGE = EXIT.usage;
