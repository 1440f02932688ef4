import {
  audience,
  createServiceClient,
  createServiceApp,
  type App,
  type Kysely,
  type KitOptions,
  type ProcessControl,
  type ServiceClient,
} from '@schakel/service-kit';
import { createAssertionVerifier } from '@schakel/trust/assertion';
import type { LspConfig } from './config.js';
import type { LspDatabase } from './migrations.js';
import { addressBookRoutes, createAddressBook } from './address-book.js';
import { createReferenceIndex, createRegistrations, referenceIndexRoutes } from './reference-index.js';
import { consentProfileRoutes, consentRoutes, createConsentStore } from './consent.js';
import { accessLogRoutes, createAccessLog } from './access-log.js';
import { createRevocations, revocationRoutes, systemGuard } from './auth.js';
import { createPolicyStore, policyRoutes } from './policies.js';
import { portalRoutes } from './portal.js';
import { questionRoutes } from './questions.js';
import { createPipeline } from './pipeline/pipeline.js';
import { jsonRoutes } from './wires/json.js';
import { hl7v3Routes, wsdlRoutes } from './wires/hl7v3.js';
import { fhirRoutes } from './wires/fhir.js';
import { bearerSigned } from './wires/bearer.js';
import { createNviStore, openNviStore, type NviDatabase } from './nvi/store.js';
import { createPseudonymService, pseudonymKey } from './nvi/pseudonym-service.js';
import { policyNoticeRoutes } from './policy-notices.js';
import { controlRoutes } from './control.js';
import { createSubscriptionStore, notifySubscribers } from './subscriptions.js';
import { DEFAULT_REPORT_CONFIG } from '@schakel/consult';
import { loadProtocol, type ProtocolRow } from './authorisation/protocol.js';
import { DEFAULT_POLICIES, type Policies } from './authorisation/consent-rules.js';

export interface LspDeps {
  db: Kysely<LspDatabase>;
  /** PEM of the UZI card CA that professional assertions must chain to. */
  cardCaPem: string;
  client?: ServiceClient;
  /** The authorisation protocol; default: protocol/default.json. */
  protocol?: ProtocolRow[];
  /** Policy switches until the operator changes them. */
  policies?: Policies;
  /** The launcher that started this process, for the operator's process control (none: control refuses). */
  control?: ProcessControl;
  /** The NVI's own store (no BSN in it; docs/fhir.md); default: in memory, closed with the app. */
  nviDb?: Kysely<NviDatabase>;
  /** The pseudonym service's key for this environment; default: one for this process only. */
  pseudonymKey?: Buffer;
  kit?: KitOptions;
}

export type LspAppConfig = Pick<LspConfig, 'SOURCE_TIMEOUT_MS' | 'LOG_LEVEL' | 'CLOCK_SKEW_SECONDS'> &
  Partial<
    Pick<
      LspConfig,
      'PORTAL_TEST_CODE' | 'NVI_URA' | 'NOTIFY_RETRY_INITIAL_MS' | 'NOTIFY_RETRY_MAX_MS' | 'NOTIFY_TIMEOUT_MS'
    >
  >;

/** The switch point: address book, reference index, consent, policies, access log, portal, and the fanned-out queries. */
export async function buildApp(config: LspAppConfig, deps: LspDeps): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'lsp',
      title: 'Schakel switch point (LSP)',
      description:
        'Local stand-in for the Landelijk Schakelpunt: reference index, consent, address book and access log. It authorises each query, fans it out to the source systems and returns one batch (MCCI_IN200101) with a status per source. It stores no clinical data.',
      tags: [
        { name: 'address book', description: 'Connected systems (GBZ) and where to reach them' },
        {
          name: 'reference index',
          description: 'Verwijsindex: MFMT_IN002101 / MFMT_IN002102 / MFMT_IN002103 / QUMT_IN020010',
        },
        {
          name: 'consent',
          description: 'The patient’s consent profile, requests from the portal, closed and open questions',
        },
        {
          name: 'queries',
          description: 'Fanned-out queries: QURX_IN990011NL (medication), QUPC_IN990001NL (professional summary)',
        },
        { name: 'access log', description: 'NEN 7513 access log, hash-chained' },
        { name: 'policies', description: 'Corona opt-in, its stop button, presumed consent' },
        { name: 'patient portal', description: 'The patient’s own view (test login by BSN and code)' },
        { name: 'trust', description: 'Revocation list for system and UZI card certificates' },
        { name: 'reports', description: 'REPC_IN990003NL: observation reports routed to the patient’s own GP' },
        { name: 'control', description: 'The operator’s control of the running topology (processes)' },
      ],
    },
    { logLevel: config.LOG_LEVEL, ...deps.kit },
  );
  // The fan-out calls the sources with the switch point's own certificate (mutual TLS).
  const client =
    deps.client ??
    createServiceClient({
      timeoutMs: config.SOURCE_TIMEOUT_MS,
      ...(deps.kit?.tls !== undefined ? { tls: deps.kit.tls } : {}),
    });
  const book = createAddressBook(deps.db);
  const index = createReferenceIndex(deps.db);
  const consents = createConsentStore(deps.db);
  const accessLog = createAccessLog(deps.db);
  const revocations = createRevocations(deps.db);
  const policies = createPolicyStore(deps.db, deps.policies ?? DEFAULT_POLICIES);
  const protocol = deps.protocol ?? loadProtocol();
  const verifier = createAssertionVerifier({ cardCaPem: deps.cardCaPem, clockSkewSeconds: config.CLOCK_SKEW_SECONDS });

  // Every signed interaction (queries, reports, lookups) runs one pipeline; the JSON routes translate.
  const pipelineDeps = {
    book,
    index,
    consents,
    accessLog,
    policies,
    protocol,
    client,
    timeoutMs: config.SOURCE_TIMEOUT_MS,
    assertions: { db: deps.db, revocations, seen: 0 },
  };
  const run = createPipeline(pipelineDeps);
  // Holders subscribed to a patient's consent profile are told of every choice that concerns them.
  const subscriptions = createSubscriptionStore(deps.db);
  notifySubscribers(app, {
    subscriptions,
    consents,
    client,
    config: {
      ...DEFAULT_REPORT_CONFIG,
      REPORT_RETRY_INITIAL_MS: config.NOTIFY_RETRY_INITIAL_MS ?? DEFAULT_REPORT_CONFIG.REPORT_RETRY_INITIAL_MS,
      REPORT_RETRY_MAX_MS: config.NOTIFY_RETRY_MAX_MS ?? DEFAULT_REPORT_CONFIG.REPORT_RETRY_MAX_MS,
      REPORT_DELIVERY_TIMEOUT_MS: config.NOTIFY_TIMEOUT_MS ?? 5_000,
    },
  });
  const registrations = createRegistrations(index, book);
  // The NVI (issue #17): its own store, holding pseudonyms the pseudonym service makes; only the forward
  // direction is handed on.
  const nviDb = deps.nviDb ?? (await openNviStore(':memory:'));
  const pseudonyms = createPseudonymService(deps.pseudonymKey ?? pseudonymKey(undefined, ':memory:'));
  const nvi = {
    store: createNviStore(nviDb),
    pseudonymFor: pseudonyms.pseudonymFor,
    nviUra: config.NVI_URA ?? '00000001',
  };

  // Who may call what is decided by where a route is registered (docs/security.md, "Who may call what"):
  // connected systems
  // (a trusted, unrevoked system certificate), the operator (the admin certificate), and patients (the
  // portal's login and session). The kit's operations routes (/health, /ready, /docs) are open.
  await audience(app, 'system', systemGuard({ revocations, accessLog }), async (system) => {
    addressBookRoutes(system, book);
    referenceIndexRoutes(system, registrations);
    consentRoutes(system, consents);
    questionRoutes(system, pipelineDeps);
    jsonRoutes(system, { run, verifier });
    await hl7v3Routes(system, {
      run,
      registrations,
      cardCaPem: deps.cardCaPem,
      clockSkewSeconds: config.CLOCK_SKEW_SECONDS,
    });
    policyNoticeRoutes(system, { policies, book, client, timeoutMs: config.SOURCE_TIMEOUT_MS });
    // The second wire (issue #17): FHIR R4 under /fhir, its modules in fhir/modules.ts.
    await fhirRoutes(system, {
      run,
      pipeline: pipelineDeps,
      verifier,
      signed: bearerSigned(verifier),
      nvi,
      subscriptions,
    });
  });
  // The WSDLs describe the AORTA endpoints, as /openapi.json describes the JSON ones: open.
  await audience(
    app,
    'operations',
    async () => undefined,
    (open) => wsdlRoutes(open),
  );
  await audience(app, 'operator', systemGuard({ revocations, accessLog }, true), (operator) => {
    revocationRoutes(operator, revocations);
    policyRoutes(operator, policies);
    accessLogRoutes(operator, accessLog);
    consentProfileRoutes(operator, consents);
    controlRoutes(operator, deps.control);
  });
  await portalRoutes(app, { consents, accessLog, db: deps.db, testCode: config.PORTAL_TEST_CODE ?? '123456' });

  app.addHook('onClose', async () => {
    if (deps.client === undefined) await client.close();
    if (deps.nviDb === undefined) await nviDb.destroy();
  });
  return app;
}
