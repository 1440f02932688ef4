export { consultRoutes } from './consults.js';
export { consultMigration, reportMigration, type ConsultDatabase } from './migrations.js';
export { observationReportRoutes, type ReportDeps } from './reports.js';
export { createOutbox, OutboxReport, OutboxState, OUTBOX_STATES, type Outbox } from './outbox.js';
export { backoffMs, createAttempt, startDeliveryWorker, reportConfigShape, DEFAULT_REPORT_CONFIG, type ReportConfig, type AttemptResult, type DeliveryWorker } from './delivery.js';
