import { z } from 'zod';
import {
  ApplicationId,
  SystemEntry,
  SystemRegistration,
  wireOf,
  notFound,
  type DataCategory,
  type OrganisationType,
} from '@schakel/contracts';
import { nowIso, pick, prepare, type App, type Kysely, type Selectable } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import { allowSelfOrAdmin } from './auth.js';
import { createChangeWatch, readModel } from './read-model.js';

type Row = Selectable<LspDatabase['systems']>;

function toEntry(row: Row): SystemEntry {
  return {
    applicationId: row.application_id,
    ura: row.ura,
    organisationName: row.organisation_name,
    organisationType: row.organisation_type as OrganisationType,
    baseUrl: row.base_url,
    provides: JSON.parse(row.provides) as DataCategory[],
    wire: wireOf(row.wire),
    registeredAt: row.registered_at,
  };
}

/** The address book of connected systems (GBZ's): who they are and where the switch point reaches them. */
export function createAddressBook(db: Kysely<LspDatabase>) {
  const select = prepare<Row>(db, 'SELECT * FROM systems ORDER BY application_id');
  // In memory, reloaded when the systems table changed (read-model.ts); looked up by id and by URA.
  const book = readModel(createChangeWatch(db), ['systems'], async () => {
    const list = (await select.all()).map(toEntry);
    const byId = new Map(list.map((e) => [e.applicationId, e]));
    const byUra = new Map<string, SystemEntry[]>();
    for (const e of list) byUra.set(e.ura, [...(byUra.get(e.ura) ?? []), e]);
    return { list, byId, byUra };
  });
  return {
    async upsert(
      applicationId: string,
      input: z.input<typeof SystemRegistration>,
    ): Promise<{ entry: SystemEntry; created: boolean }> {
      const existing = await db
        .selectFrom('systems')
        .select('application_id')
        .where('application_id', '=', applicationId)
        .executeTakeFirst();
      const row: Row = {
        application_id: applicationId,
        ura: input.ura,
        organisation_name: input.organisationName,
        organisation_type: input.organisationType,
        base_url: input.baseUrl?.replace(/\/$/, '') ?? null,
        provides: JSON.stringify(input.provides ?? []),
        registered_at: nowIso(),
        wire: input.wire ?? 'json',
      };
      await db
        .insertInto('systems')
        .values(row)
        .onConflict((oc) => oc.column('application_id').doUpdateSet({ ...row }))
        .execute();
      return { entry: toEntry(row), created: existing === undefined };
    },
    async get(applicationId: string): Promise<SystemEntry | undefined> {
      return (await book.get()).byId.get(applicationId);
    },
    async byUra(ura: string): Promise<SystemEntry[]> {
      return (await book.get()).byUra.get(ura) ?? [];
    },
    list: async () => (await book.get()).list,
  };
}
export type AddressBook = ReturnType<typeof createAddressBook>;

export function addressBookRoutes(app: App, book: AddressBook): void {
  const Params = z.object({ applicationId: ApplicationId });
  app.put(
    '/address-book/systems/:applicationId',
    {
      schema: {
        tags: ['address book'],
        summary: 'Enter or update a connected system in the address book',
        params: Params,
        body: SystemRegistration,
        response: { 200: SystemEntry, 201: SystemEntry, ...pick(400, 403) },
      },
    },
    async (request, reply) => {
      // A system enters itself (its certificate names this application id and URA), or the operator does.
      allowSelfOrAdmin(request, { applicationId: request.params.applicationId, ura: request.body.ura });
      const { entry, created } = await book.upsert(request.params.applicationId, request.body);
      request.log.info({ applicationId: entry.applicationId, ura: entry.ura, created }, 'address book entry stored');
      return reply.status(created ? 201 : 200).send(entry);
    },
  );
  app.get(
    '/address-book/systems',
    {
      schema: {
        tags: ['address book'],
        summary: 'List the connected systems',
        response: { 200: z.object({ systems: z.array(SystemEntry) }) },
      },
    },
    async () => ({ systems: await book.list() }),
  );
  app.get(
    '/address-book/systems/:applicationId',
    {
      schema: {
        tags: ['address book'],
        summary: 'One connected system',
        params: Params,
        response: { 200: SystemEntry, ...pick(400, 404) },
      },
    },
    async (request) => {
      const entry = await book.get(request.params.applicationId);
      if (entry === undefined) throw notFound(`System ${request.params.applicationId}`);
      return entry;
    },
  );
}
