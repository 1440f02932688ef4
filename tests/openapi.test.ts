import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { createServiceClient, createSwitchPointClient, openStore, type App } from '@schakel/service-kit';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { buildConsumerApp, consumerMigrations, type ConsultDatabase } from '@schakel/consult';
import * as pharmacy from '@schakel/pharmacy';
import * as gp from '@schakel/gp';
import * as hap from '@schakel/hap';
import * as seh from '@schakel/seh';
import * as ambulance from '@schakel/ambulance';
import * as hospital from '@schakel/hospital';
import { buildConsoleApp } from '@schakel/console';
import { ADMIN_SYSTEM, REPO_ROOT } from '@schakel/topology';

/**
 * Every service's OpenAPI document, as its GET /openapi.json serves it, passes Redocly's recommended rules
 * (the linter integrators run, `redocly lint`) with no errors (issue #14, docs/api.md "OpenAPI documents").
 * On top of `recommended`, as errors: an operationId, a summary and security on every operation, problem+json
 * for every 4xx, and no response described only as "Default Response" (the kit derives them: openapi.ts).
 */
const RULES = {
  'operation-operationId': 'error',
  'operation-summary': 'error',
  'security-defined': 'error',
  'operation-4xx-problem-details-rfc7807': 'error',
  'rule/response-has-a-real-description': {
    severity: 'error',
    subject: { type: 'Response', property: 'description' },
    assertions: { notPattern: '^Default Response$' },
    message: 'A response needs a description of what it answers, not "Default Response"',
  },
} as const;

let sp: InProcessSwitchPoint;
const apps: [string, App][] = [];
const cardsDir = mkdtempSync(join(tmpdir(), 'schakel-openapi-cards-'));
// Building a document reaches no other service: the switch point these organisations would call is not there.
const client = createServiceClient({ timeoutMs: 1_000 });
const lsp = createSwitchPointClient(client, 'http://127.0.0.1:9');
const kit = { logLevel: 'silent' };

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  apps.push(['lsp', sp.app]);
  const pharmacyDb = await openStore<pharmacy.PharmacyDatabase>({
    database: ':memory:',
    migrations: pharmacy.migrations,
  });
  const org = { ORG_NAME: 'Proef', APPLICATION_ID: '900001' };
  apps.push(['pharmacy', await pharmacy.buildApp({ ...org, ORG_URA: '02000009' }, { db: pharmacyDb, lsp, kit })]);
  const gpDb = await openStore<gp.GpDatabase>({ database: ':memory:', migrations: gp.migrations });
  apps.push(['gp', await gp.buildApp({ ...org, ORG_URA: '01000009' }, { db: gpDb, lsp, kit })]);
  const cards = createCredentialDirectory(cardsDir);
  for (const profile of [hap.profile, seh.profile, ambulance.profile, hospital.profile]) {
    const db = await openStore<ConsultDatabase>({ database: ':memory:', migrations: consumerMigrations(profile) });
    apps.push([
      profile.service,
      await buildConsumerApp(profile, { ...org, ORG_URA: '03000009' }, { db, lsp, cards, kit }),
    ]);
  }
  const admin = await sp.pki.ensureSystem(ADMIN_SYSTEM);
  apps.push([
    'console',
    await buildConsoleApp(
      {
        LSP_URL: sp.url,
        TLS_CERT_FILE: admin.certFile,
        TLS_KEY_FILE: admin.keyFile,
        TLS_CA_FILE: sp.pki.files.root,
        CONSOLE_ORGANISATIONS: [],
        CONSOLE_POLL_MS: 1000,
      },
      { kit },
    ),
  ]);
});
afterAll(async () => {
  for (const [name, app] of apps) if (name !== 'lsp') await app.close();
  await sp?.close();
  await client.close();
  rmSync(cardsDir, { recursive: true, force: true });
});

const where = (p: NormalizedProblem) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`;

describe('GET /openapi.json of every service', () => {
  it('passes Redocly’s recommended rules with no errors', async () => {
    const config = await createConfig({ extends: ['recommended'], rules: RULES });
    // Every service there is: a new one under services/ fails here until its document is linted too.
    expect(apps.map(([name]) => name).sort()).toEqual(readdirSync(join(REPO_ROOT, 'services')).sort());
    for (const [name, app] of apps) {
      // The address a caller reaches it by becomes `servers` (and a real one, not localhost).
      const r = await app.inject({ url: '/openapi.json', headers: { host: '127.0.0.1:7000' } });
      expect(r.statusCode, name).toBe(200);
      const problems = await lintFromString({ source: r.body, absoluteRef: `${name}.json`, config });
      const warnings = problems.filter((p) => p.severity !== 'error');
      if (warnings.length > 0)
        console.log(`${name}: ${warnings.length} warnings\n  ${warnings.map(where).join('\n  ')}`);
      expect(
        problems.filter((p) => p.severity === 'error').map(where),
        `${name}: errors of Redocly's recommended rules`,
      ).toEqual([]);
    }
  });

  it('gives every operation its security, mutual TLS where the audience is systems', async () => {
    const doc = (await sp.app.inject('/openapi.json')).json<{
      components: { securitySchemes: Record<string, { type: string }> };
      paths: Record<string, Record<string, { security: Record<string, string[]>[] }>>;
    }>();
    expect(doc.components.securitySchemes.mutualTLS?.type).toBe('mutualTLS');
    const security = (method: string, path: string) => doc.paths[path]?.[method]?.security;
    expect(security('get', '/access-log')).toEqual([{ mutualTLS: ['operator'] }]);
    expect(security('post', '/queries/medication')).toEqual([{ mutualTLS: ['system'], assertion: [] }]);
    expect(security('get', '/reference-index/{bsn}')).toEqual([
      { mutualTLS: ['operator'] },
      { mutualTLS: ['system'], assertion: [] },
    ]);
    expect(security('get', '/portal/profile')).toEqual([{ portal: [] }]);
    expect(security('get', '/health')).toEqual([]);
  });
});
