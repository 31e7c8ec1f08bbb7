/**
 * kickstart as a library: a TypeScript job wrapper runs a job under
 * supervision without spawning the kickstart CLI.
 *
 *   import { supervise } from 'kickstart';
 *   const { record, exitCode } = await supervise({ argv: ['echo', 'hello'] });
 */
export { supervise, PlanError, type SuperviseOptions, type SuperviseResult } from './supervise/index.js';
export type { Outcome } from './supervise/outcome.js';
export { EXIT } from './supervise/outcome.js';
export { toYaml, toJsonLine } from './record/yaml.js';
export type * from './record/types.js';
export { createLogger } from './log.js';
