import { z } from 'zod';
import { ApplicationId, Bsn, DataCategory, IndexEntry, IndexRegistrationBody, describeInteraction, problem, type IndexReason, type OrganisationType, type Wire } from '@schakel/contracts';
import { nowIso, pick, type App, type Kysely } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import type { AddressBook } from './address-book.js';
import { allowSelfOrAdmin } from './auth.js';

/** An index entry with what the address book says of its holder: who it is, where and how to ask it. */
export interface IndexedHolder extends IndexEntry {
  organisationType: OrganisationType;
  baseUrl: string | null;
  wire: Wire;
}

/** The reference index (verwijsindex): which system holds which category of data on which BSN. */
export function createReferenceIndex(db: Kysely<LspDatabase>) {
  async function entries(bsn: string, category?: string): Promise<IndexedHolder[]> {
    let q = db
      .selectFrom('index_entries as i')
      .innerJoin('systems as s', 's.application_id', 'i.application_id')
      .select(['i.bsn', 'i.category', 'i.application_id', 'i.registered_at', 'i.reason', 's.ura', 's.organisation_name', 's.organisation_type', 's.base_url', 's.wire'])
      .where('i.bsn', '=', bsn);
    if (category !== undefined) q = q.where('i.category', '=', category);
    const rows = await q.orderBy('i.application_id').execute();
    return rows.map((r) => ({
      bsn: r.bsn,
      category: r.category as DataCategory,
      applicationId: r.application_id,
      ura: r.ura,
      organisationName: r.organisation_name,
      registeredAt: r.registered_at,
      reason: r.reason as IndexReason,
      organisationType: r.organisation_type as OrganisationType,
      baseUrl: r.base_url,
      wire: r.wire === 'hl7v3' ? 'hl7v3' : 'json',
    }));
  }
  return {
    /** Idempotent: registering again (MFMT_IN002102) keeps one entry and refreshes its time and reason. */
    async register(bsn: string, category: string, applicationId: string, reason: IndexReason = 'consent'): Promise<{ created: boolean; registeredAt: string }> {
      const registeredAt = nowIso();
      const existing = await db
        .selectFrom('index_entries')
        .select('bsn')
        .where('bsn', '=', bsn)
        .where('category', '=', category)
        .where('application_id', '=', applicationId)
        .executeTakeFirst();
      await db
        .insertInto('index_entries')
        .values({ bsn, category, application_id: applicationId, registered_at: registeredAt, reason })
        .onConflict((oc) => oc.columns(['bsn', 'category', 'application_id']).doUpdateSet({ registered_at: registeredAt, reason }))
        .execute();
      return { created: existing === undefined, registeredAt };
    },
    async deregister(bsn: string, category: string, applicationId: string): Promise<boolean> {
      const result = await db
        .deleteFrom('index_entries')
        .where('bsn', '=', bsn)
        .where('category', '=', category)
        .where('application_id', '=', applicationId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    entries,
  };
}
export type ReferenceIndex = ReturnType<typeof createReferenceIndex>;

/** The entry as the API shows it. */
export const toEntry = ({ organisationType: _t, baseUrl: _u, wire: _w, ...entry }: IndexedHolder): IndexEntry => entry;

export function referenceIndexRoutes(app: App, index: ReferenceIndex, book: AddressBook): void {
  const Params = z.object({ bsn: Bsn, category: DataCategory, applicationId: ApplicationId });
  app.put(
    '/reference-index/:bsn/:category/:applicationId',
    {
      config: { interaction: 'MFMT_IN002101' },
      schema: {
        tags: ['reference index'],
        summary: `${describeInteraction('MFMT_IN002101')}; again: ${describeInteraction('MFMT_IN002102')}`,
        description: 'A data holder registers that it holds data of this category on this BSN, after the patient consented (reason consent, the default), or, for a GP practice, for a patient with no choice yet while the corona opt-in runs (reason corona-opt-in).',
        params: Params,
        body: IndexRegistrationBody.nullish(),
        response: { 200: IndexEntry, 201: IndexEntry, ...pick(400, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { bsn, category, applicationId } = request.params;
      allowSelfOrAdmin(request, { applicationId });
      const system = await book.get(applicationId);
      if (system === undefined) {
        throw problem('UNKNOWN_SYSTEM', `System ${applicationId} is not in the address book; enter it there first`, { field: 'params.applicationId', expected: 'an application id from the address book' });
      }
      if (system.baseUrl === null) {
        throw problem('CONFLICT', `System ${applicationId} has no base URL in the address book, so the switch point could never ask it; enter one first`, {
          field: 'address-book.baseUrl',
          expected: 'an https base URL for a system that holds data',
        });
      }
      const reason = request.body?.reason ?? 'consent';
      const { created, registeredAt } = await index.register(bsn, category, applicationId, reason);
      request.log.info({ interaction: 'MFMT_IN002101', category, applicationId, created, reason }, 'registered in reference index');
      return reply.status(created ? 201 : 200).send({ bsn, category, applicationId, ura: system.ura, organisationName: system.organisationName, registeredAt, reason });
    },
  );
  app.delete(
    '/reference-index/:bsn/:category/:applicationId',
    {
      config: { interaction: 'MFMT_IN002103' },
      schema: {
        tags: ['reference index'],
        summary: describeInteraction('MFMT_IN002103'),
        description: 'Idempotent: deregistering an entry that is not there answers 204 too.',
        params: Params,
        response: { 204: z.null(), ...pick(400, 403) },
      },
    },
    async (request, reply) => {
      const { bsn, category, applicationId } = request.params;
      allowSelfOrAdmin(request, { applicationId });
      const removed = await index.deregister(bsn, category, applicationId);
      request.log.info({ interaction: 'MFMT_IN002103', category, applicationId, removed }, 'deregistered from reference index');
      return reply.status(204).send(null);
    },
  );
}
