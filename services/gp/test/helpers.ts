import {
  createServiceClient,
  createSwitchPointClient,
  openStore,
  type App,
  asFrontOfficeUser,
  frontOfficeLogin,
} from '@schakel/service-kit';
import { buildApp, migrations, type GpDatabase, type GpOptions } from '../src/index.js';
import { asSwitchPoint } from '@schakel/testkit/in-process';

export const PRACTICE = { ORG_NAME: 'Praktijk Test', ORG_URA: '01000009', APPLICATION_ID: '100009' };

/**
 * A GP system on its own in-memory store. Its switch point is not there (port 9, discard: nothing listens
 * on loopback), which the record, summary and disclosure routes never need.
 */
export async function gpApp(
  options: GpOptions & { journalMonths?: number } = {},
): Promise<{ app: App; close: () => Promise<void> }> {
  const client = createServiceClient({ timeoutMs: 1_000 });
  const db = await openStore<GpDatabase>({ database: ':memory:', migrations });
  const built = await buildApp(
    { ...PRACTICE, ...(options.journalMonths !== undefined ? { SUMMARY_JOURNAL_MONTHS: options.journalMonths } : {}) },
    {
      db,
      lsp: createSwitchPointClient(client, 'http://127.0.0.1:9'),
      kit: { logLevel: 'silent', identify: asSwitchPoint },
    },
    options,
  );
  // The practice's GP at the front office; the switch-point legs ignore the header (the caller is the switch point).
  const app = asFrontOfficeUser(
    built,
    await frontOfficeLogin(built, db, { uziNumber: '900000021', roleCode: '01.015' }),
  );
  return {
    app,
    close: async () => {
      await app.close();
      await client.close();
    },
  };
}

export async function post(app: App, url: string, payload: unknown) {
  const r = await app.inject({ method: 'POST', url, payload: payload as object });
  if (r.statusCode !== 201) throw new Error(`POST ${url}: ${r.statusCode} ${r.body}`);
  return r.json();
}

export async function newPatient(app: App, bsn: string) {
  const r = await app.inject({
    method: 'PUT',
    url: `/patients/${bsn}`,
    payload: { name: 'Gerda Smit', birthDate: '1950-02-03' },
  });
  if (r.statusCode !== 201) throw new Error(`PUT patient: ${r.statusCode} ${r.body}`);
}

export const REQUESTER = {
  ura: '03000001',
  organisationName: 'Huisartsenpost Midden',
  professional: { uziNumber: '900000001', roleCode: '01.015' },
};
