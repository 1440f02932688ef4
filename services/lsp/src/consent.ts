import { z } from 'zod';
import { Bsn, ConsentInput, ConsentRecord, Ura, type Decision } from '@schakel/contracts';
import { nowIso, pick, type App, type Kysely, type Selectable } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import { allowAdmin, allowSelfOrAdmin } from './auth.js';

type Row = Selectable<LspDatabase['consents']>;
const toRecord = (r: Row): ConsentRecord => ({
  id: r.id,
  bsn: r.bsn,
  holderUra: r.holder_ura,
  state: r.state as ConsentRecord['state'],
  recordedBy: r.recorded_by,
  channel: r.channel as ConsentRecord['channel'],
  recordedAt: r.recorded_at,
});

/**
 * Consent per (BSN, data holder), kept as a full history: the newest record per holder is in force.
 * This is the classic LSP model; the profile model with categories and precedence is issue #4.
 */
export function createConsentStore(db: Kysely<LspDatabase>) {
  return {
    async record(bsn: string, holderUra: string, input: z.infer<typeof ConsentInput>): Promise<ConsentRecord> {
      const row = { bsn, holder_ura: holderUra, state: input.state, recorded_by: input.recordedBy, channel: input.channel, recorded_at: nowIso() };
      const inserted = await db.insertInto('consents').values(row).returning('id').executeTakeFirstOrThrow();
      return toRecord({ ...row, id: inserted.id });
    },
    /** The record in force for each holder of this patient. */
    async current(bsn: string): Promise<Map<string, ConsentRecord>> {
      const rows = await db.selectFrom('consents').selectAll().where('bsn', '=', bsn).orderBy('id').execute();
      const byHolder = new Map<string, ConsentRecord>();
      for (const r of rows) byHolder.set(r.holder_ura, toRecord(r));
      return byHolder;
    },
    async history(bsn: string): Promise<ConsentRecord[]> {
      const rows = await db.selectFrom('consents').selectAll().where('bsn', '=', bsn).orderBy('id').execute();
      return rows.map(toRecord);
    },
  };
}
export type ConsentStore = ReturnType<typeof createConsentStore>;

/** Whether a holder may be asked, and why: one decision per source, with the record that decided it. */
export function consentDecision(record: ConsentRecord | undefined, holderName: string): Decision & { permitted: boolean } {
  if (record === undefined) {
    return {
      permitted: false,
      code: 'NO_CONSENT_RECORD',
      rule: 'LSP-CONSENT-1: a holder is asked only when the patient consented to sharing by that holder',
      explanation: `The patient has made no choice about sharing by ${holderName}, so it was not asked.`,
    };
  }
  switch (record.state) {
    case 'consent':
      return {
        permitted: true,
        code: 'CONSENT_GIVEN',
        rule: 'LSP-CONSENT-1: a holder is asked only when the patient consented to sharing by that holder',
        consentRecordId: record.id,
        explanation: `The patient consented to sharing by ${holderName} (recorded ${record.recordedAt} via ${record.channel}).`,
      };
    case 'objection':
      return {
        permitted: false,
        code: 'CONSENT_OBJECTION',
        rule: 'LSP-CONSENT-2: a holder the patient objected to is never asked',
        consentRecordId: record.id,
        explanation: `The patient objected to sharing by ${holderName} (recorded ${record.recordedAt} via ${record.channel}), so it was not asked.`,
      };
    case 'no-choice':
      return {
        permitted: false,
        code: 'NO_CONSENT_CHOICE',
        rule: 'LSP-CONSENT-1: a holder is asked only when the patient consented to sharing by that holder',
        consentRecordId: record.id,
        explanation: `The patient has not chosen about sharing by ${holderName} (recorded ${record.recordedAt}), so it was not asked.`,
      };
  }
}

export function consentRoutes(app: App, store: ConsentStore): void {
  app.put(
    '/consents/:bsn/:holderUra',
    {
      schema: {
        tags: ['consent'],
        summary: 'Record the patient’s choice about sharing by one data holder',
        description: 'Appends to the history; the newest record per holder is in force.',
        params: z.object({ bsn: Bsn, holderUra: Ura }),
        body: ConsentInput,
        response: { 201: ConsentRecord, ...pick(400, 403) },
      },
    },
    async (request, reply) => {
      // The holder records its own patients' choices, in its own name (the portal comes with issue #4).
      allowSelfOrAdmin(request, { ura: request.params.holderUra, applicationId: request.body.recordedBy });
      const record = await store.record(request.params.bsn, request.params.holderUra, request.body);
      request.log.info({ holderUra: record.holderUra, state: record.state, consentRecordId: record.id }, 'consent recorded');
      return reply.status(201).send(record);
    },
  );
  app.get(
    '/consents/:bsn',
    {
      schema: {
        tags: ['consent'],
        summary: 'The patient’s consent records: the ones in force and the full history',
        params: z.object({ bsn: Bsn }),
        response: { 200: z.object({ current: z.array(ConsentRecord), history: z.array(ConsentRecord) }), ...pick(400) },
      },
    },
    async (request) => {
      allowAdmin(request);
      return {
      current: [...(await store.current(request.params.bsn)).values()],
      history: await store.history(request.params.bsn),
      };
    },
  );
}
