import type { ObservationReportDelivery } from '@schakel/contracts';
import type { Kysely } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';

/** An observation report in the inbox that the GP processed into the patient's record. */
export interface ProcessedReport {
  messageId: string;
  report: ObservationReportDelivery;
  processedAt: string;
}

/**
 * The processed observation reports of one patient, newest first: what the acute chain (HAP, SEH,
 * ambulance) reported back and the GP took into the record. The next professional summary passes them on
 * ("Met spoed beschikbaar": feedback from acute care is available again next time), see summary.ts.
 * Reports not yet processed are left out: the GP has not taken them into the record yet.
 */
export async function processedReports(db: Kysely<GpDatabase>, bsn: string): Promise<ProcessedReport[]> {
  const rows = await db
    .selectFrom('inbox_reports')
    .select(['message_id', 'body', 'received_at', 'processed_at'])
    .where('bsn', '=', bsn)
    .where('status', '=', 'processed')
    .orderBy('received_at', 'desc')
    .execute();
  return rows.map((r) => ({
    messageId: r.message_id,
    report: JSON.parse(r.body) as ObservationReportDelivery,
    processedAt: r.processed_at ?? r.received_at,
  }));
}
