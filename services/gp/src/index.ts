export { buildApp, gpConfigShape, type GpConfig, type GpOptions } from './app.js';
export { migrations, type GpDatabase } from './migrations.js';
export { recordItemRow, RECORD_KINDS, type RecordKind, type NewItem } from './record-store.js';
export { buildSummary, monthsBefore } from './summary.js';
