import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@schakel/contracts';
import {
  createFrontOfficeStore,
  hashPassword,
  openStore,
  type App,
  type AudienceName,
  type Migrations,
  type QueryRunner,
  type RouteEntry,
} from '@schakel/service-kit';
import { startSwitchPointInProcess, type InProcessSwitchPoint, type TestCaller } from '@schakel/testkit/in-process';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { buildConsumerApp, consumerMigrations, type ConsultDatabase, type ConsumerProfile } from '@schakel/consult';
import * as pharmacy from '@schakel/pharmacy';
import * as gp from '@schakel/gp';
import * as hap from '@schakel/hap';
import * as seh from '@schakel/seh';
import * as ambulance from '@schakel/ambulance';
import * as hospital from '@schakel/hospital';
import { buildConsoleApp } from '@schakel/console';
import { errorCodeOf, type OperationOutcome } from '@schakel/fhir';

/**
 * Access is decided by structure (issue #10): every registered route of every service, from Fastify's own
 * route table, is called by each audience it is not for, under every spelling of its path an attacker
 * would try. None may reach a handler; the right audience does get past the guard (so the test can fail).
 */
const GUARD_CODES = new Set([
  'CLIENT_CERT_REQUIRED',
  'CLIENT_CERT_UNTRUSTED',
  'CLIENT_CERT_EXPIRED',
  'CLIENT_CERT_REVOKED',
  'CLIENT_NOT_ALLOWED',
  'PORTAL_LOGIN_REQUIRED',
  'FRONT_OFFICE_LOGIN_REQUIRED',
  'CONSOLE_REQUEST_REFUSED',
]);
const SAMPLES: Record<string, string> = {
  bsn: '999900146',
  category: 'MEDVERSTREKKING',
  applicationId: '200001',
  holderUra: '02000001',
  id: '8d5b3c1e-4f6a-4b7c-9d8e-1f2a3b4c5d6e',
  messageId: '8d5b3c1e-4f6a-4b7c-9d8e-1f2a3b4c5d6e',
};
const concrete = (url: string) =>
  url.replace(/:(\w+)/g, (_m, name: string) => SAMPLES[name] ?? '1').replace(/\*$/, 'x');
const encodeChar = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** The spellings of one path: the router must either match them to the same guarded route or to none. */
const spellings = (path: string): [string, string, boolean][] => [
  ['as registered', path, true],
  [
    'with the first letter of each segment percent-encoded',
    path.replace(/\/([A-Za-z])/g, (_m, c: string) => `/${encodeChar(c)}`),
    true,
  ],
  // Every unreserved character (RFC 3986 6.2.2.2: only their encodings are equivalent; a sub-delim such as
  // the `$` of a FHIR operation is another path when encoded, which the router rightly does not match).
  ['with every character percent-encoded', path.replace(/[A-Za-z0-9\-._~]/g, encodeChar), true],
  ['with a double slash', `/${path}`, false],
  ['with a dot segment', `/x/..${path}`, false],
  ['in upper case', path.toUpperCase(), false],
  ['with a trailing slash', `${path}/`, false],
];

interface Service {
  name: string;
  app: App;
  url: string;
  /** Callers that are not the route's audience (with the headers they send, if any), and one that is. */
  wrong: Partial<Record<AudienceName, [string, () => Promise<TestCaller>, Record<string, string>?][]>>;
  right: Partial<Record<AudienceName, () => Promise<{ caller: TestCaller; headers?: Record<string, string> }>>>;
}

let sp: InProcessSwitchPoint;
const services: Service[] = [];
/** Make a caller once and reuse it (a caller with a fresh certificate per route is slow to issue). */
const once = <T>(make: () => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};

async function source(
  name: string,
  subject: { ura: string; applicationId: string; organisationType: string },
  db: QueryRunner,
  build: (kit: { logLevel: string; tls: TestCaller['tls'] }, me: TestCaller) => Promise<App>,
) {
  const me = await sp.system({ id: name, name, ...subject });
  // One local user of the organisation's front office, as npm start provisions them from the topology.
  await createFrontOfficeStore(db).provision([
    {
      username: 'desk',
      professional: { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. Balie' },
      passwordHash: await hashPassword('desk-password'),
    },
  ]);
  const app = await build({ logLevel: 'silent', tls: me.tls }, me);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  sp.track(app);
  const other = once(() =>
    sp.system({
      id: 'other-org',
      name: 'Andere Organisatie',
      ura: '09000009',
      applicationId: '900009',
      organisationType: 'Z3',
    }),
  );
  const nobody = once(async () => sp.anonymous());
  services.push({
    name,
    app,
    url,
    wrong: {
      'switch-point-legs': [
        ['no certificate', async () => sp.anonymous()],
        ['another organisation’s system', other],
        ['the organisation’s own system', async () => me],
        ['the operator', async () => sp.admin],
      ],
      // No certificate opens a front office: only a local user's session (issue #12).
      'front-office': [
        ['no certificate and no session', nobody],
        ['another organisation’s system', other],
        ['the switch point', async () => sp.callerWith(sp.lspTls)],
        ['the organisation’s own system without a session', async () => me],
        ['the operator without a session', async () => sp.admin],
      ],
      // A hospital's referral inbox: GP systems only (the other organisation above is a GP practice).
      referrers: [
        ['no certificate', async () => sp.anonymous()],
        ['the organisation’s own system', async () => me],
        ['the switch point', async () => sp.callerWith(sp.lspTls)],
        [
          'a pharmacy’s system',
          () =>
            sp.system({
              id: 'a-pharmacy',
              name: 'Apotheek',
              ura: '02000009',
              applicationId: '200009',
              organisationType: 'J8',
            }),
        ],
      ],
    },
    right: {
      'switch-point-legs': async () => ({ caller: sp.callerWith(sp.lspTls) }),
      // A fresh session each time: one of the routes is the logout.
      'front-office': async () => {
        const caller = await nobody();
        const login = await caller.http('POST', `${url}/front-office/login`, {
          username: 'desk',
          password: 'desk-password',
        });
        return { caller, headers: { authorization: `Bearer ${login.json.token}` } };
      },
      referrers: async () => ({ caller: await other() }),
    },
  });
}

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  const store = <DB>(migrations: Migrations) => openStore<DB>({ database: ':memory:', migrations });
  const cards = createCredentialDirectory(mkdtempSync(join(tmpdir(), 'schakel-cards-')));
  const hapSystem = await sp.system({
    id: 'hap',
    name: 'HAP',
    ura: '03000001',
    applicationId: '300001',
    organisationType: 'N6',
  });
  services.push({
    name: 'lsp',
    app: sp.app,
    url: sp.url,
    wrong: {
      system: [['no certificate', async () => sp.anonymous()]],
      operator: [
        ['no certificate', async () => sp.anonymous()],
        ['a connected system', async () => hapSystem],
      ],
      portal: [
        ['no portal session', async () => sp.anonymous()],
        ['a connected system without a portal session', async () => hapSystem],
        ['the operator without a portal session', async () => sp.admin],
      ],
    },
    right: {
      system: async () => ({ caller: sp.admin }),
      operator: async () => ({ caller: sp.admin }),
      portal: async () => {
        const caller = sp.anonymous();
        const login = await caller.http('POST', '/portal/login', { bsn: SAMPLES.bsn, code: '123456' });
        return { caller, headers: { authorization: `Bearer ${login.json.token}` } };
      },
    },
  });
  const pharmacyDb = await store<pharmacy.PharmacyDatabase>(pharmacy.migrations);
  await source(
    'pharmacy',
    { ura: '02000001', applicationId: '200001', organisationType: 'J8' },
    pharmacyDb,
    (kit, me) =>
      pharmacy.buildApp(
        { ORG_URA: '02000001', ORG_NAME: 'Apotheek', APPLICATION_ID: '200001' },
        { db: pharmacyDb, lsp: me.lsp, kit },
      ),
  );
  const gpDb = await store<gp.GpDatabase>(gp.migrations);
  await source('gp', { ura: '01000001', applicationId: '100001', organisationType: 'Z3' }, gpDb, (kit, me) =>
    gp.buildApp(
      { ORG_URA: '01000001', ORG_NAME: 'Praktijk', APPLICATION_ID: '100001' },
      { db: gpDb, lsp: me.lsp, kit },
    ),
  );
  const consumer = async (profile: ConsumerProfile, subject: { ura: string; applicationId: string }) => {
    const db = await store<ConsultDatabase>(consumerMigrations(profile));
    await source(profile.service, { ...subject, organisationType: profile.organisationType }, db, (kit, me) =>
      buildConsumerApp(
        profile,
        {
          ORG_NAME: 'Consument',
          ORG_URA: subject.ura,
          APPLICATION_ID: subject.applicationId,
          REPORT_RETRY_INITIAL_MS: 60_000,
        },
        { db, lsp: me.lsp, cards, kit },
      ),
    );
  };
  await consumer(hap.profile, { ura: '03000002', applicationId: '300002' });
  await consumer(seh.profile, { ura: '04000001', applicationId: '400001' });
  await consumer(ambulance.profile, { ura: '05000001', applicationId: '500001' });
  await consumer(hospital.profile, { ura: '07000001', applicationId: '700001' });
  // The console (issue #16): plain HTTP on the loopback address, for a person at this machine in its own pages.
  const adminDir = mkdtempSync(join(tmpdir(), 'schakel-console-'));
  for (const [name, pem] of Object.entries(sp.admin.tls)) writeFileSync(join(adminDir, `${name}.pem`), pem);
  const consoleApp = await buildConsoleApp(
    {
      LSP_URL: sp.url,
      TLS_CERT_FILE: join(adminDir, 'cert.pem'),
      TLS_KEY_FILE: join(adminDir, 'key.pem'),
      TLS_CA_FILE: join(adminDir, 'ca.pem'),
      CONSOLE_POLL_MS: 1000,
      CONSOLE_ORGANISATIONS: [
        {
          id: 'hap',
          service: 'hap',
          name: 'HAP',
          url: 'https://127.0.0.1:9',
          ura: '03000001',
          applicationId: '300001',
          users: [],
        },
      ],
    },
    { kit: { logLevel: 'silent' } },
  );
  const consoleUrl = await consoleApp.listen({ host: '127.0.0.1', port: 0 });
  sp.track(consoleApp);
  const browser = async () => sp.anonymous();
  services.push({
    name: 'console',
    app: consoleApp,
    url: consoleUrl,
    wrong: {
      console: [
        [
          'a page under another host name (DNS rebinding)',
          browser,
          { host: 'console.evil.example', 'hx-request': 'true' },
        ],
        ['another site’s script', browser, { origin: 'https://evil.example', 'hx-request': 'true' }],
      ],
    },
    right: { console: async () => ({ caller: await browser(), headers: { 'hx-request': 'true' } }) },
  });
});
afterAll(async () => sp.close());

/**
 * One call; the FHIR wire's errors are OperationOutcomes (docs/fhir.md), whose code is read from their
 * first issue so that every route answers in the one error vocabulary.
 */
const send = async (caller: TestCaller, route: RouteEntry, path: string, headers: Record<string, string> = {}) => {
  const r = await caller.http(
    route.method,
    path,
    ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined,
    headers,
  );
  const outcome = r.json?.resourceType === 'OperationOutcome' ? (r.json as OperationOutcome) : undefined;
  return outcome !== undefined ? { ...r, json: { ...r.json, code: errorCodeOf(outcome) } } : r;
};

async function page(route: RouteEntry, url: string, headers: Record<string, string> = {}) {
  const r = await request(url, {
    method: route.method as 'GET',
    headers: { ...headers, ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(route.method === 'POST' ? { body: '{}' } : {}),
  });
  const text = await r.body.text();
  const json = String(r.headers['content-type']).includes('json') ? (JSON.parse(text) as { code?: string }) : undefined;
  return { status: r.statusCode, json };
}

describe('every route of every service refuses the wrong audience, whatever the spelling', () => {
  it('finds the routes of every audience', () => {
    const audiences = new Set(services.flatMap((s) => s.app.routeTable().map((r) => r.audience)));
    expect([...audiences].sort()).toEqual([
      'console',
      'front-office',
      'front-office-login',
      'operations',
      'operator',
      'portal',
      'portal-login',
      'referrers',
      'switch-point-legs',
      'system',
    ]);
  });

  it('refuses each route to each wrong caller under each spelling, and lets the right caller past the guard', async () => {
    let checked = 0;
    for (const service of services) {
      const routes = service.app.routeTable().filter((r) => r.method !== 'HEAD');
      for (const route of routes) {
        const wrong = service.wrong[route.audience] ?? [];
        const path = concrete(route.url);
        for (const [who, make, headers] of wrong) {
          const caller = await make();
          for (const [how, spelled, matches] of spellings(path)) {
            const r = await send(caller, route, `${service.url}${spelled}`, headers);
            const where = `${service.name} ${route.method} ${route.url} (${route.audience}) by ${who}, ${how}: ${spelled} -> ${r.status} ${r.json?.code}`;
            expect(r.status, where).toBeGreaterThanOrEqual(400);
            expect(r.status, where).toBeLessThan(500);
            expect(Object.keys(ERROR_CODES), where).toContain(r.json?.code);
            if (matches) expect(GUARD_CODES.has(r.json.code), where).toBe(true);
            checked++;
          }
        }
        const right = service.right[route.audience];
        if (right !== undefined) {
          const { caller, headers } = await right();
          // The console answers pages (HTML), not JSON: read its problem only when it sent one.
          const r =
            route.audience === 'console'
              ? await page(route, `${service.url}${path}`, headers)
              : await send(caller, route, `${service.url}${path}`, headers);
          expect(
            GUARD_CODES.has(r.json?.code),
            `${service.name} ${route.method} ${route.url} by its own audience -> ${r.status} ${r.json?.code}`,
          ).toBe(false);
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
    // The FHIR wire's routes are among them (issue #17): registered in the system audience like the rest.
    expect(
      sp.app.routeTable().filter((r) => r.url.startsWith('/fhir') && r.audience === 'system').length,
    ).toBeGreaterThan(1);
    // ... the consent module's among them (Consent, its operations, Subscription).
    expect(
      sp.app
        .routeTable()
        .filter((r) => /^\/fhir\/(Consent|Subscription)/.test(r.url))
        .map((r) => `${r.method} ${r.url} ${r.audience}`),
    ).toEqual(expect.arrayContaining(['POST /fhir/Consent/$closed-question system', 'POST /fhir/Subscription system']));
    // Some thousand HTTPS calls: more than the default minute on a busy two-core runner.
  }, 180_000);
});
