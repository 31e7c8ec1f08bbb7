export { Monitor, warmUp, type MonitorOptions } from './sampler.js';
export { summarise, downsample, MAX_POINTS, type MonitorSummary, type Sample, type SeriesColumns } from './series.js';
export { treeCpu } from './cpu.js';
