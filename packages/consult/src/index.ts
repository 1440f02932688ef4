export {
  buildConsumerApp,
  consumerMigrations,
  type ConsumerConfig,
  type ConsumerDeps,
  type ConsumerProfile,
} from './consumer.js';
export { runConsumer, consumerConfigShape } from './run.js';
export { actingProfessional, consultRoutes, type ConsultRoutesOptions } from './consults.js';
export { createSignedQueries, type QueryExtras, type QuerySubject, type SignedQueries } from './signed-queries.js';
export { createConsultStore, Consult, RecordedEncounter, type ConsultStore, type NewConsult } from './consult-store.js';
export { consultMigration, referralLetterMigration, reportMigration, type ConsultDatabase } from './migrations.js';
export { observationReportRoutes, type ReportRoutesOptions } from './reports.js';
export { createOutbox, OutboxReport, OutboxState, OUTBOX_STATES, type Outbox } from './outbox.js';
export {
  backoffMs,
  claimLeaseMs,
  createAttempt,
  startDeliveryWorker,
  reportConfigShape,
  DEFAULT_REPORT_CONFIG,
  type ReportConfig,
  type AttemptResult,
  type DeliveryWorker,
  type DeliveryQueue,
  type DueMessage,
} from './delivery.js';
export { CLAIMABLE_STATES, leasedDeliveries, leaseUntil, type LeasedColumns } from './leases.js';
export {
  createReferralLetterStore,
  referralInboxRoutes,
  referralLetterRoutes,
  ReceivedReferralLetter,
  type ReferralLetterStore,
} from './referral-letters.js';
