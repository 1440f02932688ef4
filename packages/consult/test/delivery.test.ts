import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Kysely } from '@schakel/service-kit';
import type { ObservationReportSubmission, ReportRouting } from '@schakel/contracts';
import {
  backoffMs,
  consultMigration,
  createOutbox,
  reportMigration,
  startDeliveryWorker,
  DEFAULT_REPORT_CONFIG,
  type AttemptResult,
  type ConsultDatabase,
  type DeliveryWorker,
} from '../src/index.js';

const CONFIG = { ...DEFAULT_REPORT_CONFIG, REPORT_RETRY_INITIAL_MS: 20, REPORT_RETRY_MAX_MS: 80 };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let worker: DeliveryWorker | undefined;
afterEach(async () => worker?.stop());

async function store() {
  return openStore<ConsultDatabase>({
    database: ':memory:',
    migrations: { '001-consults': consultMigration, '002-reports': reportMigration },
  });
}
async function queued(db: Kysely<ConsultDatabase>) {
  const consultId = randomUUID();
  await db
    .insertInto('consults')
    .values({
      id: consultId,
      bsn: '999900146',
      professional: '{}',
      responsible: null,
      situation: 'regular',
      patient_cannot_consent: 0,
      opened_at: new Date().toISOString(),
    })
    .execute();
  const submission = {
    messageId: randomUUID(),
    bsn: '999900146',
    writtenAt: new Date().toISOString(),
  } as ObservationReportSubmission;
  expect(await createOutbox(db).enqueue(consultId, submission)).toBe(true);
  return { consultId, submission };
}
const ack = (messageId: string, acknowledgement: 'AA' | 'AR', code?: string): ReportRouting => ({
  interaction: 'MCCI_IN000002',
  messageId,
  acknowledgement,
  duplicate: false,
  ...(code !== undefined ? { code, reason: 'no' } : {}),
  deliveredTo: { applicationId: '100001', ura: '01000001', organisationName: 'GP' },
});
async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('backoffMs', () => {
  it('doubles per attempt with jitter and stays under the maximum', () => {
    const c = { REPORT_RETRY_INITIAL_MS: 100, REPORT_RETRY_MAX_MS: 1_000 };
    expect(backoffMs(1, c, () => 0)).toBe(50);
    expect(backoffMs(1, c, () => 1)).toBe(100);
    expect(backoffMs(3, c, () => 1)).toBe(400);
    expect(backoffMs(30, c, () => 1)).toBe(1_000);
    expect(backoffMs(30, c, () => 0)).toBe(500);
  });
});

describe('the delivery worker', () => {
  it('tries again after a failure and settles the report as delivered', async () => {
    const db = await store();
    const { submission } = await queued(db);
    const outbox = createOutbox(db);
    const answers: AttemptResult[] = [
      { kind: 'retry', error: 'GP unreachable' },
      { kind: 'delivered', ack: ack(submission.messageId, 'AA') },
    ];
    worker = startDeliveryWorker({
      outbox,
      attempt: async () => answers.shift() ?? { kind: 'retry', error: 'unexpected' },
      config: CONFIG,
      log: quiet,
      pollMs: 20,
    });
    await until(async () => (await outbox.get(submission.messageId))?.state === 'delivered');
    expect(await outbox.get(submission.messageId)).toMatchObject({
      state: 'delivered',
      attempts: 2,
      lastError: null,
      acknowledgement: { acknowledgement: 'AA' },
    });
  });

  it('stops at a rejection and keeps the reason', async () => {
    const db = await store();
    const { submission } = await queued(db);
    const outbox = createOutbox(db);
    let calls = 0;
    worker = startDeliveryWorker({
      outbox,
      attempt: async () => {
        calls++;
        return {
          kind: 'rejected',
          code: 'UNKNOWN_PATIENT',
          reason: 'not our patient',
          ack: ack(submission.messageId, 'AR', 'UNKNOWN_PATIENT'),
        };
      },
      config: CONFIG,
      log: quiet,
      pollMs: 20,
    });
    await until(async () => (await outbox.get(submission.messageId))?.state === 'rejected');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(1);
    expect(await outbox.get(submission.messageId)).toMatchObject({
      state: 'rejected',
      attempts: 1,
      rejection: { code: 'UNKNOWN_PATIENT', reason: 'not our patient' },
    });
  });

  it('puts a report that was being delivered when the process stopped back in line once its claim lapsed', async () => {
    const db = await store();
    const { submission } = await queued(db);
    const outbox = createOutbox(db);
    expect(await outbox.claimDue(10, 60_000)).toHaveLength(1);
    expect((await outbox.get(submission.messageId))?.state).toBe('delivering');
    expect(await outbox.claimDue(10, 60_000)).toHaveLength(0);
    // The process stopped; by the time it starts again its claim has lapsed.
    await db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(Date.now() - 1).toISOString() })
      .execute();
    expect(await outbox.recover()).toBe(1);
    expect(await outbox.get(submission.messageId)).toMatchObject({ state: 'retrying', attempts: 1 });
    expect(await outbox.claimDue(10, 60_000)).toMatchObject([{ messageId: submission.messageId, attempts: 2 }]);
  });

  it('leaves a report another process is delivering to it, and takes it once that claim lapsed', async () => {
    const db = await store();
    const { submission } = await queued(db);
    expect(await createOutbox(db).claimDue(10, 60_000)).toHaveLength(1);
    // A second process of the same organisation starts on the same store meanwhile.
    const other = createOutbox(db);
    expect(await other.recover()).toBe(0);
    expect(await other.claimDue(10, 60_000)).toHaveLength(0);
    expect((await other.get(submission.messageId))?.state).toBe('delivering');
    // The first process stopped without settling it: once the claim lapsed the other takes it.
    await db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(Date.now() - 1).toISOString() })
      .execute();
    expect(await other.claimDue(10, 60_000)).toMatchObject([{ messageId: submission.messageId, attempts: 2 }]);
  });

  it('keeps one report per consult', async () => {
    const db = await store();
    const { consultId } = await queued(db);
    expect(
      await createOutbox(db).enqueue(consultId, {
        messageId: randomUUID(),
        bsn: '999900146',
        writtenAt: new Date().toISOString(),
      } as ObservationReportSubmission),
    ).toBe(false);
  });
});
