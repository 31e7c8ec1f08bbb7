/**
 * The transfer step: checkpoint files to a staging site after the job
 * (stage-out), and the newest good generation back before it (stage-in).
 * See stage-out.ts and stage-in.ts for the steps, generations.ts for the
 * layout at the site.
 */
import type { TransferSummary } from '../record/types.js';
import type { Distrust, TransferHooks, TransferOptions } from './options.js';


export type { TransferSummary };
export type { Distrust, TransferHooks, TransferOptions };
export { stageIn } from './stage-in.js';
export { stageOut } from './stage-out.js';
export { startLive, type LiveOptions, type LiveRun, type LiveReport } from './live.js';
export { quieter } from '../log.js';
export { listGenerations, type GenerationInfo, type ListOptions } from './list.js';
export { locate, pickSiteOptions, registry, type SiteOptions, type StagingLocation } from '../staging/index.js';
export { checkCheckpointPaths } from './paths.js';
export { siteMarkers } from './markers.js';
export { lookBack, type LookBack } from './look-back.js';
export { checkJobId, checkTransfer } from './options.js';
export { EXIT_OK, EXIT_LIST_FAILED, EXIT_STAGE_IN_FAILED, EXIT_STAGE_OUT_FAILED, EXIT_USAGE } from './exit-codes.js';
export { openHistoryStore, type HistoryStore } from './history-store.js';
// For `checkpoints ls`'s table: the CLI takes them from here, not from the part's own files.
export { genName } from './generations.js';
export { formatBytes } from './progress.js';
