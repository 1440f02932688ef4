import { createServiceClient, createServiceApp, type App, type Kysely, type KitOptions, type ServiceClient } from '@schakel/service-kit';
import type { LspConfig } from './config.js';
import type { LspDatabase } from './migrations.js';
import { addressBookRoutes, createAddressBook } from './address-book.js';
import { createReferenceIndex, referenceIndexRoutes } from './reference-index.js';
import { consentRoutes, createConsentStore } from './consent.js';
import { accessLogRoutes, createAccessLog } from './access-log.js';
import { medicationQueryRoutes } from './medication-query.js';
import { DEFAULT_PROTOCOL, type ProtocolRow } from './protocol.js';
import { createRevocations, guardSwitchPoint, revocationRoutes } from './auth.js';
import { createAssertionVerifier } from '@schakel/trust/assertion';

export interface LspDeps {
  db: Kysely<LspDatabase>;
  /** PEM of the UZI card CA that professional assertions must chain to. */
  cardCaPem: string;
  client?: ServiceClient;
  protocol?: ProtocolRow[];
  kit?: KitOptions;
}

/** The switch point: address book, reference index, consent, access log, and the fanned-out queries. */
export async function buildApp(config: Pick<LspConfig, 'SOURCE_TIMEOUT_MS' | 'LOG_LEVEL' | 'CLOCK_SKEW_SECONDS'>, deps: LspDeps): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'lsp',
      title: 'Schakel switch point (LSP)',
      description:
        'Local stand-in for the Landelijk Schakelpunt: reference index, consent, address book and access log. It authorises each query, fans it out to the source systems and returns one batch (MCCI_IN200101) with a status per source. It stores no clinical data.',
      tags: [
        { name: 'address book', description: 'Connected systems (GBZ) and where to reach them' },
        { name: 'reference index', description: 'Verwijsindex: MFMT_IN002101 / MFMT_IN002102 / MFMT_IN002103 / QUMT_IN020010' },
        { name: 'consent', description: 'The patient’s choice per data holder' },
        { name: 'queries', description: 'Fanned-out queries: QURX_IN990011NL' },
        { name: 'access log', description: 'NEN 7513 access log' },
        { name: 'trust', description: 'Revocation list for system and UZI card certificates' },
      ],
    },
    { logLevel: config.LOG_LEVEL, ...deps.kit },
  );
  // The fan-out calls the sources with the switch point's own certificate (mutual TLS).
  const client = deps.client ?? createServiceClient({ timeoutMs: config.SOURCE_TIMEOUT_MS, ...(deps.kit?.tls !== undefined ? { tls: deps.kit.tls } : {}) });
  const book = createAddressBook(deps.db);
  const index = createReferenceIndex(deps.db);
  const consents = createConsentStore(deps.db);
  const accessLog = createAccessLog(deps.db);
  const revocations = createRevocations(deps.db);
  const verifier = createAssertionVerifier({ cardCaPem: deps.cardCaPem, clockSkewSeconds: config.CLOCK_SKEW_SECONDS });

  guardSwitchPoint(app, { revocations, accessLog });
  revocationRoutes(app, revocations);
  addressBookRoutes(app, book);
  referenceIndexRoutes(app, index, book);
  consentRoutes(app, consents);
  accessLogRoutes(app, accessLog);
  medicationQueryRoutes(app, { book, index, consents, accessLog, client, protocol: deps.protocol ?? DEFAULT_PROTOCOL,
    sourceTimeoutMs: config.SOURCE_TIMEOUT_MS,
    assertions: { verifier, db: deps.db, revocations, seen: 0 },
  });

  app.addHook('onClose', async () => {
    if (deps.client === undefined) await client.close();
  });
  return app;
}
