import { createServiceClient, createSwitchPointClient, openStore, type App } from '@schakel/service-kit';
import { buildApp as buildPharmacy, migrations as pharmacyMigrations, type PharmacyDatabase } from '@schakel/pharmacy';
import { buildApp, migrations, type LspDatabase } from '../src/index.js';

export const HAP = { applicationId: '300001', ura: '03000001', organisationName: 'HAP Test', organisationType: 'N6' as const };
export const GP_AT_HAP = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. Test' };

/** A switch point on an ephemeral port with an in-memory store, plus a client for it. */
export async function startSwitchPoint(sourceTimeoutMs = 1_000) {
  const db = await openStore<LspDatabase>({ database: ':memory:', migrations });
  const app = await buildApp({ SOURCE_TIMEOUT_MS: sourceTimeoutMs, LOG_LEVEL: 'silent' }, { db });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = createServiceClient({ timeoutMs: 5_000 });
  const lsp = createSwitchPointClient(client, url);
  const { applicationId: _id, ...hapEntry } = HAP;
  await lsp.registerSystem(HAP.applicationId, { ...hapEntry, baseUrl: 'http://127.0.0.1:9', provides: [] });
  const apps: App[] = [app];
  return {
    app,
    db,
    url,
    lsp,
    client,
    /** A real pharmacy system on its own ephemeral port, entered in the address book. */
    async pharmacy(applicationId: string, ura: string, name: string) {
      const pdb = await openStore<PharmacyDatabase>({ database: ':memory:', migrations: pharmacyMigrations });
      const papp = await buildPharmacy({ ORG_URA: ura, ORG_NAME: name, APPLICATION_ID: applicationId }, { db: pdb, lsp, kit: { logLevel: 'silent' } });
      const purl = await papp.listen({ host: '127.0.0.1', port: 0 });
      apps.push(papp);
      await lsp.registerSystem(applicationId, { ura, organisationName: name, organisationType: 'J8', baseUrl: purl, provides: ['MEDVERSTREKKING'] });
      return { app: papp, url: purl, db: pdb };
    },
    async close() {
      for (const a of apps.reverse()) await a.close();
      await client.close();
      await db.destroy();
    },
  };
}
