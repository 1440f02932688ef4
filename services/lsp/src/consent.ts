import { z } from 'zod';
import {
  Bsn,
  ConsentInput,
  ConsentRecord,
  ConsentRequest,
  Ura,
  notFound,
  problem,
  type ConsentHolder,
  type ConsentState,
  type DataCategory,
} from '@schakel/contracts';
import { nowIso, pick, prepare, type App, type Kysely, type Selectable } from '@schakel/service-kit';
import { createChangeWatch, keyedReadModel } from './read-model.js';
import type { LspDatabase } from './migrations.js';
import { allowSelfOrAdmin, caller } from './auth.js';
import { choicesInForce, type ConsentChoice } from './authorisation/consent-rules.js';

type Row = Selectable<LspDatabase['consents']>;
const holderOf = (r: Pick<Row, 'holder_ura' | 'holder_type'>): ConsentHolder =>
  r.holder_ura !== null
    ? { ura: r.holder_ura }
    : r.holder_type !== null
      ? { organisationType: r.holder_type as 'Z3' }
      : { all: true };
const toRecord = (r: Row): ConsentRecord => ({
  id: r.id,
  bsn: r.bsn,
  state: r.state as ConsentState,
  holder: holderOf(r),
  category: r.category as ConsentRecord['category'],
  consumerType: r.consumer_type as ConsentRecord['consumerType'],
  recordedBy: r.recorded_by,
  channel: r.channel as ConsentRecord['channel'],
  recordedAt: r.recorded_at,
});
const toChoice = (r: Row): ConsentChoice => ({
  id: r.id,
  state: r.state as ConsentState,
  holderUra: r.holder_ura,
  holderType: r.holder_type,
  category: r.category as DataCategory | '*',
  consumerType: r.consumer_type,
  recordedAt: r.recorded_at,
  channel: r.channel,
});
type RequestRow = Selectable<LspDatabase['consent_requests']>;
const toRequest = (r: RequestRow): ConsentRequest => ({
  id: r.id,
  bsn: r.bsn,
  holderUra: r.holder_ura,
  state: r.state as ConsentState,
  category: r.category as ConsentRequest['category'],
  consumerType: r.consumer_type as ConsentRequest['consumerType'],
  requestedAt: r.requested_at,
  status: r.status as ConsentRequest['status'],
  processedAt: r.processed_at,
  consentRecordId: r.consent_record_id,
});

export interface NewChoice {
  state: ConsentState;
  holder: ConsentHolder;
  category: DataCategory | '*';
  consumerType: string;
  recordedBy: string;
  channel: 'holder-system' | 'paper' | 'portal';
}

const describeChoice = (c: NewChoice) =>
  `${c.state} for ${c.category === '*' ? 'all data' : c.category} held by ${'ura' in c.holder ? `organisation ${c.holder.ura}` : 'organisationType' in c.holder ? `organisations of type ${c.holder.organisationType}` : 'every holder'}`;

/**
 * The consent profile per patient, as an append-only history (who, when, which channel); the newest
 * choice per scope is in force. Choices made online wait as requests until the named holder processes
 * them, as in the real flow; the patient is told whenever someone else changes their profile.
 */
export function createConsentStore(db: Kysely<LspDatabase>) {
  const listeners: ((record: ConsentRecord) => Promise<void>)[] = [];
  async function record(bsn: string, c: NewChoice): Promise<ConsentRecord> {
    const row = {
      bsn,
      state: c.state,
      holder_ura: 'ura' in c.holder ? c.holder.ura : null,
      holder_type: 'organisationType' in c.holder ? c.holder.organisationType : null,
      category: c.category,
      consumer_type: c.consumerType,
      recorded_by: c.recordedBy,
      channel: c.channel,
      recorded_at: nowIso(),
    };
    const inserted = await db.insertInto('consents').values(row).returning('id').executeTakeFirstOrThrow();
    if (c.recordedBy !== 'patient') {
      await db
        .insertInto('notifications')
        .values({
          bsn,
          at: row.recorded_at,
          consent_record_id: inserted.id,
          message: `Your consent profile was changed by system ${c.recordedBy} (${c.channel}): ${describeChoice(c)}.`,
        })
        .execute();
    }
    const recorded = toRecord({ ...row, id: inserted.id });
    for (const listener of listeners) await listener(recorded);
    return recorded;
  }
  const rows = (bsn: string) => db.selectFrom('consents').selectAll().where('bsn', '=', bsn).orderBy('id').execute();
  // The choices in force per patient, in memory while the consents table is unchanged: a consent given or
  // withdrawn through any process sharing the store is seen before the next decision (read-model.ts).
  const selectChoices = prepare<Row>(db, 'SELECT * FROM consents WHERE bsn = ? ORDER BY id');
  const inForceByPatient = keyedReadModel(createChangeWatch(db), ['consents'], async (bsn) =>
    choicesInForce((await selectChoices.all(bsn)).map(toChoice)),
  );
  return {
    record,
    /** Called after every recorded choice, whatever the channel (awaited: it is recorded when they are done). */
    onRecorded(listener: (record: ConsentRecord) => Promise<void>): void {
      listeners.push(listener);
    },
    /** One record by its id, and whether it is the choice in force for its scope. */
    async get(id: number): Promise<{ record: ConsentRecord; inForce: boolean } | undefined> {
      const r = await db.selectFrom('consents').selectAll().where('id', '=', id).executeTakeFirst();
      if (r === undefined) return undefined;
      const inForce = choicesInForce((await rows(r.bsn)).map(toChoice)).some((c) => c.id === id);
      return { record: toRecord(r), inForce };
    },
    history: async (bsn: string) => (await rows(bsn)).map(toRecord),
    /** The choices in force (newest per scope), as the decision rules read them. */
    choices: async (bsn: string) => [...(await inForceByPatient.get(bsn))],
    async inForce(bsn: string): Promise<ConsentRecord[]> {
      const all = await rows(bsn);
      const ids = new Set(choicesInForce(all.map(toChoice)).map((c) => c.id));
      return all.filter((r) => ids.has(r.id)).map(toRecord);
    },
    async request(
      bsn: string,
      r: { holderUra: string; state: ConsentState; category: DataCategory | '*'; consumerType: string },
    ): Promise<ConsentRequest> {
      const row = {
        bsn,
        holder_ura: r.holderUra,
        state: r.state,
        category: r.category,
        consumer_type: r.consumerType,
        requested_at: nowIso(),
        status: 'pending',
        processed_at: null,
        consent_record_id: null,
      };
      const inserted = await db.insertInto('consent_requests').values(row).returning('id').executeTakeFirstOrThrow();
      return toRequest({ ...row, id: inserted.id });
    },
    async requests(filter: {
      bsn?: string;
      holderUra?: string;
      status?: string;
      id?: number;
    }): Promise<ConsentRequest[]> {
      let q = db.selectFrom('consent_requests').selectAll();
      if (filter.id !== undefined) q = q.where('id', '=', filter.id);
      if (filter.bsn !== undefined) q = q.where('bsn', '=', filter.bsn);
      if (filter.holderUra !== undefined) q = q.where('holder_ura', '=', filter.holderUra);
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      return (await q.orderBy('id').execute()).map(toRequest);
    },
    async process(
      id: number,
      holderUra: string,
      accept: boolean,
      processedBy: string,
    ): Promise<{ request: ConsentRequest; record?: ConsentRecord }> {
      const r = await db.selectFrom('consent_requests').selectAll().where('id', '=', id).executeTakeFirst();
      if (r === undefined || r.holder_ura !== holderUra)
        throw notFound(`Consent request ${id} for organisation ${holderUra}`);
      if (r.status !== 'pending') throw problem('CONFLICT', `Consent request ${id} was already ${r.status}`);
      const rec = accept
        ? await record(r.bsn, {
            state: r.state as ConsentState,
            holder: { ura: r.holder_ura },
            category: r.category as DataCategory | '*',
            consumerType: r.consumer_type,
            recordedBy: processedBy,
            channel: 'portal',
          })
        : undefined;
      const processed_at = nowIso();
      await db
        .updateTable('consent_requests')
        .set({ status: accept ? 'processed' : 'declined', processed_at, consent_record_id: rec?.id ?? null })
        .where('id', '=', id)
        .execute();
      return {
        request: toRequest({
          ...r,
          status: accept ? 'processed' : 'declined',
          processed_at,
          consent_record_id: rec?.id ?? null,
        }),
        ...(rec ? { record: rec } : {}),
      };
    },
    notifications: (bsn: string) =>
      db.selectFrom('notifications').selectAll().where('bsn', '=', bsn).orderBy('id').execute(),
  };
}
export type ConsentStore = ReturnType<typeof createConsentStore>;

export function consentRoutes(app: App, store: ConsentStore): void {
  app.put(
    '/consents/:bsn/:holderUra',
    {
      schema: {
        tags: ['consent'],
        summary: 'A holder records the patient’s choice about sharing by that holder (at its desk or on paper)',
        description:
          'Appends to the history; the newest choice per scope (holder, category, consumer category) is in force. The patient is notified in the portal.',
        params: z.object({ bsn: Bsn, holderUra: Ura }),
        body: ConsentInput,
        response: { 201: ConsentRecord, ...pick(400, 403) },
      },
    },
    async (request, reply) => {
      allowSelfOrAdmin(request, { ura: request.params.holderUra, applicationId: request.body.recordedBy });
      const b = request.body;
      const record = await store.record(request.params.bsn, { ...b, holder: { ura: request.params.holderUra } });
      request.log.info(
        { holderUra: request.params.holderUra, state: record.state, consentRecordId: record.id },
        'consent recorded',
      );
      return reply.status(201).send(record);
    },
  );
  app.get(
    '/consent-requests',
    {
      schema: {
        tags: ['consent'],
        summary: 'Choices patients made online for this holder, waiting to be processed',
        querystring: z.object({ status: z.enum(['pending', 'processed', 'declined']).default('pending') }).strict(),
        response: { 200: z.object({ requests: z.array(ConsentRequest) }), ...pick(400) },
      },
    },
    async (request) => ({
      requests: await store.requests({ holderUra: caller(request).ura, status: request.query.status }),
    }),
  );
  app.post(
    '/consent-requests/:id/process',
    {
      schema: {
        tags: ['consent'],
        summary:
          'The holder processes an online choice: accept (it becomes a choice in force, channel portal) or decline',
        description:
          'On accepting consent the holder registers the patient in the reference index itself; on an objection it deregisters.',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({ accept: z.boolean() }).strict(),
        response: {
          200: z.object({ request: ConsentRequest, record: ConsentRecord.optional() }),
          ...pick(400, 404, 409),
        },
      },
    },
    async (request) => {
      const me = caller(request);
      return store.process(request.params.id, me.ura, request.body.accept, me.applicationId);
    },
  );
}

/** The operator's view of a patient's consent profile. */
export function consentProfileRoutes(app: App, store: ConsentStore): void {
  app.get(
    '/consents/:bsn',
    {
      schema: {
        tags: ['consent'],
        summary: 'The patient’s consent profile: the choices in force and the full history (operator only)',
        params: z.object({ bsn: Bsn }),
        response: {
          200: z.object({ inForce: z.array(ConsentRecord), history: z.array(ConsentRecord) }),
          ...pick(400, 403),
        },
      },
    },
    async (request) => ({
      inForce: await store.inForce(request.params.bsn),
      history: await store.history(request.params.bsn),
    }),
  );
}
