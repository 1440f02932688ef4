import { z } from 'zod';
import {
  ApplicationId,
  Bsn,
  DataCategory,
  IndexEntry,
  IndexRegistrationBody,
  describeInteraction,
  problem,
  type IndexReason,
  type OrganisationType,
  wireOf,
  type Wire,
} from '@schakel/contracts';
import {
  nowIso,
  pick,
  prepare,
  type App,
  type ClientIdentity,
  type Kysely,
  type Selectable,
} from '@schakel/service-kit';
import { createChangeWatch, keyedReadModel } from './read-model.js';
import type { LspDatabase } from './migrations.js';
import type { AddressBook } from './address-book.js';
import { allowSelfOrAdmin, caller } from './auth.js';

/** An index entry with what the address book says of its holder: who it is, where and how to ask it. */
export interface IndexedHolder extends IndexEntry {
  organisationType: OrganisationType;
  baseUrl: string | null;
  wire: Wire;
}

/** The reference index (verwijsindex): which system holds which category of data on which BSN. */
export function createReferenceIndex(db: Kysely<LspDatabase>) {
  // One patient's entries, all categories, joined with the address book: kept in memory per BSN while
  // neither table changed (read-model.ts), read with one prepared statement otherwise.
  const select = prepare<Joined>(
    db,
    `SELECT i.bsn, i.category, i.application_id, i.registered_at, i.reason,
            s.ura, s.organisation_name, s.organisation_type, s.base_url, s.wire
       FROM index_entries AS i INNER JOIN systems AS s ON s.application_id = i.application_id
      WHERE i.bsn = ? ORDER BY i.application_id`,
  );
  type Joined = Selectable<LspDatabase['index_entries']> &
    Pick<Selectable<LspDatabase['systems']>, 'ura' | 'organisation_name' | 'organisation_type' | 'base_url' | 'wire'>;
  const byPatient = keyedReadModel(createChangeWatch(db), ['index_entries', 'systems'], async (bsn) =>
    (await select.all(bsn)).map((r): IndexedHolder => ({
      bsn: r.bsn,
      category: r.category as DataCategory,
      applicationId: r.application_id,
      ura: r.ura,
      organisationName: r.organisation_name,
      registeredAt: r.registered_at,
      reason: r.reason as IndexReason,
      organisationType: r.organisation_type as OrganisationType,
      baseUrl: r.base_url,
      wire: wireOf(r.wire),
    })),
  );
  async function entries(bsn: string, category?: string): Promise<IndexedHolder[]> {
    const all = await byPatient.get(bsn);
    return category === undefined ? [...all] : all.filter((e) => e.category === category);
  }
  return {
    /** Idempotent: registering again (MFMT_IN002102) keeps one entry and refreshes its time and reason. */
    async register(
      bsn: string,
      category: string,
      applicationId: string,
      reason: IndexReason = 'consent',
    ): Promise<{ created: boolean; registeredAt: string }> {
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
        .onConflict((oc) =>
          oc.columns(['bsn', 'category', 'application_id']).doUpdateSet({ registered_at: registeredAt, reason }),
        )
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

/**
 * A holder registers (MFMT_IN002101/2) or deregisters (MFMT_IN002103) its own entries (or the operator does
 * for it): the same checks on every wire. Answers the entry, and whether it is new.
 */
export function createRegistrations(index: ReferenceIndex, book: AddressBook) {
  return {
    async register(
      client: ClientIdentity,
      r: { bsn: string; category: DataCategory; applicationId: string; reason: IndexReason },
    ): Promise<{ entry: IndexEntry; created: boolean }> {
      allowSelfOrAdmin(client, { applicationId: r.applicationId });
      const system = await book.get(r.applicationId);
      if (system === undefined) {
        throw problem('UNKNOWN_SYSTEM', `System ${r.applicationId} is not in the address book; enter it there first`, {
          field: 'applicationId',
          expected: 'an application id from the address book',
        });
      }
      if (system.baseUrl === null) {
        throw problem(
          'CONFLICT',
          `System ${r.applicationId} has no base URL in the address book, so the switch point could never ask it; enter one first`,
          {
            field: 'address-book.baseUrl',
            expected: 'an https base URL for a system that holds data',
          },
        );
      }
      const { created, registeredAt } = await index.register(r.bsn, r.category, r.applicationId, r.reason);
      return {
        created,
        entry: {
          bsn: r.bsn,
          category: r.category,
          applicationId: r.applicationId,
          ura: system.ura,
          organisationName: system.organisationName,
          registeredAt,
          reason: r.reason,
        },
      };
    },
    async deregister(
      client: ClientIdentity,
      r: { bsn: string; category: DataCategory; applicationId: string },
    ): Promise<boolean> {
      allowSelfOrAdmin(client, { applicationId: r.applicationId });
      return index.deregister(r.bsn, r.category, r.applicationId);
    },
  };
}
export type Registrations = ReturnType<typeof createRegistrations>;

export function referenceIndexRoutes(app: App, registrations: Registrations): void {
  const Params = z.object({ bsn: Bsn, category: DataCategory, applicationId: ApplicationId });
  app.put(
    '/reference-index/:bsn/:category/:applicationId',
    {
      config: { interaction: 'MFMT_IN002101' },
      schema: {
        tags: ['reference index'],
        summary: `${describeInteraction('MFMT_IN002101')}; again: ${describeInteraction('MFMT_IN002102')}`,
        description:
          'A data holder registers that it holds data of this category on this BSN, after the patient consented (reason consent, the default), or, for a GP practice, for a patient with no choice yet while the corona opt-in runs (reason corona-opt-in).',
        params: Params,
        body: IndexRegistrationBody.nullish(),
        response: { 200: IndexEntry, 201: IndexEntry, ...pick(400, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { entry, created } = await registrations.register(caller(request), {
        ...request.params,
        reason: request.body?.reason ?? 'consent',
      });
      request.log.info(
        {
          interaction: 'MFMT_IN002101',
          category: entry.category,
          applicationId: entry.applicationId,
          created,
          reason: entry.reason,
        },
        'registered in reference index',
      );
      return reply.status(created ? 201 : 200).send(entry);
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
      const removed = await registrations.deregister(caller(request), request.params);
      request.log.info(
        {
          interaction: 'MFMT_IN002103',
          category: request.params.category,
          applicationId: request.params.applicationId,
          removed,
        },
        'deregistered from reference index',
      );
      return reply.status(204).send(null);
    },
  );
}
