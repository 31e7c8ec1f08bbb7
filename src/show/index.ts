export { loadRecords, parseRecords, ShowError, EXIT_BAD_RECORD, EXIT_WRITE_FAILED, type RecordRead } from './load.js';
export { attemptView, type AttemptView, type Marker } from './model.js';
export { renderText, type TextOptions } from './text.js';
export { renderHtml } from './html.js';
export { sparkline } from './sparkline.js';
