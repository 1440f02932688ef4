import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Kysely } from '@schakel/service-kit';
import type { ObservationReportSubmission } from '@schakel/contracts';
import {
  DEFAULT_REPORT_CONFIG,
  consultMigration,
  createOutbox,
  reportMigration,
  startDeliveryWorker,
  type ConsultDatabase,
} from '@schakel/consult';
import { ON_POSTGRES, freshDatabase } from './database.js';

// Two delivery workers, each with its own connection pool (as two processes of one organisation would
// have), on one PostgreSQL schema: every observation report is attempted exactly once.
const migrations = { '001-consults': consultMigration, '002-reports': reportMigration };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let database: Awaited<ReturnType<typeof freshDatabase>>;
let stores: Kysely<ConsultDatabase>[] = [];

beforeAll(async () => {
  if (!ON_POSTGRES) return;
  database = await freshDatabase();
  const open = () => openStore<ConsultDatabase>({ database: ':memory:', url: database.url, schema: 'hap', migrations });
  // At once, as processes of one organisation start: one creates the schema and applies the migrations,
  // the other waits for it (openStore takes turns on a lock per schema; open.test.ts).
  stores = await Promise.all([open(), open()]);
});
afterAll(async () => {
  if (!ON_POSTGRES) return;
  for (const s of stores) await s.destroy();
  await database.drop();
});

describe.skipIf(!ON_POSTGRES)('the observation-report outbox on PostgreSQL', () => {
  it('delivers every report exactly once with two workers on one store', async () => {
    const [a, b] = stores as [Kysely<ConsultDatabase>, Kysely<ConsultDatabase>];
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const consultId = randomUUID();
      await a
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
      const submission = { messageId: randomUUID(), bsn: '999900146', writtenAt: new Date().toISOString() };
      await createOutbox(a).enqueue(consultId, submission as ObservationReportSubmission);
      ids.push(submission.messageId);
    }
    const attempts = new Map<string, number>();
    const workers = [a, b].map((store) =>
      startDeliveryWorker({
        outbox: createOutbox(store),
        attempt: async (s) => {
          attempts.set(s.messageId, (attempts.get(s.messageId) ?? 0) + 1);
          // A delivery takes a while: the other worker looks at the outbox meanwhile.
          await new Promise((r) => setTimeout(r, 5));
          return {
            kind: 'delivered',
            ack: {
              interaction: 'MCCI_IN000002',
              messageId: s.messageId,
              acknowledgement: 'AA',
              duplicate: false,
              deliveredTo: { applicationId: '100001', ura: '01000001', organisationName: 'GP' },
            },
          };
        },
        config: DEFAULT_REPORT_CONFIG,
        log: quiet,
        pollMs: 5,
      }),
    );
    try {
      for (let i = 0; i < 400; i++) {
        if ((await createOutbox(b).counts()).delivered === ids.length) break;
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    expect((await createOutbox(b).counts()).delivered).toBe(ids.length);
    expect(ids.filter((id) => attempts.get(id) !== 1)).toEqual([]);
  });
});
