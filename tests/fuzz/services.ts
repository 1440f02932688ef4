import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrganisationType } from '@schakel/contracts';
import {
  openStore,
  type App,
  type KitOptions,
  type Kysely,
  type Migrations,
  type SwitchPointClient,
  type TlsMaterial,
} from '@schakel/service-kit';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { createCredentialDirectory, type CredentialDirectory } from '@schakel/trust/assertion';
import { buildConsumerApp, consumerMigrations, type ConsultDatabase, type ConsumerProfile } from '@schakel/consult';
import { openPki } from '@schakel/trust/pki';
import * as ambulance from '@schakel/ambulance';
import * as gp from '@schakel/gp';
import * as hap from '@schakel/hap';
import * as pharmacy from '@schakel/pharmacy';
import * as seh from '@schakel/seh';

/** One service under fuzz: where it listens and what its name is in reports. */
export interface FuzzTarget {
  service: string;
  url: string;
}

/** Who is calling: the TLS material a fuzz request connects with (no cert, an untrusted one, or a trusted identity). */
export interface FuzzIdentity {
  name: 'none' | 'foreign CA' | 'admin' | 'switch point' | 'system';
  tls: TlsMaterial | { ca: string };
}

interface Organisation {
  service: string;
  id: string;
  name: string;
  ura: string;
  applicationId: string;
  organisationType: OrganisationType;
  provides: ('MEDVERSTREKKING' | 'WAARNEEMGEGEVENS')[];
  /** A professional whose UZI card the consumer systems hold, so their queries get as far as the switch point. */
  professional?: { uziNumber: string; roleCode: string; name: string };
}

const ORGANISATIONS: Organisation[] = [
  {
    service: 'pharmacy',
    id: 'fuzz-apotheek',
    name: 'Apotheek Fuzz',
    ura: '02000009',
    applicationId: '200009',
    organisationType: 'J8',
    provides: ['MEDVERSTREKKING'],
  },
  {
    service: 'gp',
    id: 'fuzz-huisarts',
    name: 'Huisartsenpraktijk Fuzz',
    ura: '01000009',
    applicationId: '100009',
    organisationType: 'Z3',
    provides: ['WAARNEEMGEGEVENS'],
  },
  {
    service: 'hap',
    id: 'fuzz-hap',
    name: 'Huisartsenpost Fuzz',
    ura: '03000009',
    applicationId: '300009',
    organisationType: 'N6',
    provides: [],
    professional: { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. F. Uzz' },
  },
  {
    service: 'seh',
    id: 'fuzz-seh',
    name: 'SEH Fuzz',
    ura: '04000009',
    applicationId: '400009',
    organisationType: 'V4',
    provides: [],
    professional: { uziNumber: '900000002', roleCode: '01.071', name: 'Dr. S. Eh' },
  },
  {
    service: 'ambulance',
    id: 'fuzz-rav',
    name: 'Ambulancezorg Fuzz',
    ura: '05000009',
    applicationId: '500009',
    organisationType: 'SCHAKEL-RAV',
    provides: [],
    professional: { uziNumber: '900000003', roleCode: '80.000', name: 'A. Mbulance' },
  },
];

type Build = (
  org: Organisation,
  deps: { lsp: SwitchPointClient; cards: CredentialDirectory; kit: KitOptions },
) => Promise<App>;
const config = (org: Organisation) => ({ ORG_NAME: org.name, ORG_URA: org.ura, APPLICATION_ID: org.applicationId });

/** A store in memory that lives as long as the app. */
async function inMemory<DB>(migrations: Migrations, build: (db: Kysely<DB>) => Promise<App>): Promise<App> {
  const db = await openStore<DB>({ database: ':memory:', migrations });
  const app = await build(db);
  app.addHook('onClose', async () => db.destroy());
  return app;
}

/** A consumer service from its profile, as runConsumer builds it. */
const consumer =
  (profile: ConsumerProfile): Build =>
  (org, deps) =>
    inMemory<ConsultDatabase>(consumerMigrations(profile), (db) =>
      buildConsumerApp(profile, config(org), { ...deps, db }),
    );

// Each service's app as its main.ts builds it (only the store is in memory).
const BUILDERS: Record<string, Build> = {
  pharmacy: (org, deps) =>
    inMemory<pharmacy.PharmacyDatabase>(pharmacy.migrations, (db) => pharmacy.buildApp(config(org), { ...deps, db })),
  gp: (org, deps) => inMemory<gp.GpDatabase>(gp.migrations, (db) => gp.buildApp(config(org), { ...deps, db })),
  hap: consumer(hap.profile),
  seh: consumer(seh.profile),
  ambulance: consumer(ambulance.profile),
};

/**
 * The switch point and one organisation of every kind, each a real HTTPS server with mutual TLS on an
 * ephemeral port in this process, entered in the switch point's address book like `npm start` does.
 * Real sockets matter: bad percent-encoding, over-long URLs and oversized headers are only seen there.
 */
export async function startFuzzTopology() {
  const sp: InProcessSwitchPoint = await startSwitchPointInProcess();
  const targets: FuzzTarget[] = [{ service: 'lsp', url: sp.url }];
  let consumerTls: TlsMaterial | undefined;
  for (const org of ORGANISATIONS) {
    const me = await sp.system(org);
    const cardsDir = join(sp.dir, 'cards', org.id);
    mkdirSync(cardsDir, { recursive: true });
    if (org.professional !== undefined) {
      const card = await sp.credential({ ...org.professional, ura: org.ura });
      writeFileSync(join(cardsDir, `${org.professional.uziNumber}.cert.pem`), card.cert);
      writeFileSync(join(cardsDir, `${org.professional.uziNumber}.key.pem`), card.key);
      consumerTls ??= me.tls;
    }
    const build = BUILDERS[org.service];
    if (build === undefined) throw new Error(`no builder for ${org.service}`);
    const app = await build(org, {
      lsp: me.lsp,
      cards: createCredentialDirectory(cardsDir),
      kit: { logLevel: 'silent', tls: me.tls },
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    sp.track(app);
    await me.lsp.registerSystem(org.applicationId, {
      ura: org.ura,
      organisationName: org.name,
      organisationType: org.organisationType,
      baseUrl: url,
      provides: org.provides,
    });
    targets.push({ service: org.service, url });
  }
  if (consumerTls === undefined) throw new Error('no consumer system');

  // A certificate from a CA nobody here trusts, but that still trusts our root to reach the server.
  const foreignDir = mkdtempSync(join(tmpdir(), 'schakel-fuzz-foreign-'));
  const foreign = await (
    await openPki(foreignDir)
  ).issueSystem({ id: 'foreign', name: 'Foreign system', ura: '09000009', applicationId: '900009' });
  const identities: FuzzIdentity[] = [
    { name: 'none', tls: { ca: sp.pki.rootPem } },
    { name: 'foreign CA', tls: { ...foreign, ca: sp.pki.rootPem } },
    { name: 'admin', tls: sp.admin.tls },
    { name: 'switch point', tls: sp.lspTls },
    { name: 'system', tls: consumerTls },
  ];
  return {
    targets,
    identities,
    async close() {
      await sp.close();
      rmSync(foreignDir, { recursive: true, force: true });
    },
  };
}
export type FuzzTopology = Awaited<ReturnType<typeof startFuzzTopology>>;
