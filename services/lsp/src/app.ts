import { createServiceClient, createServiceApp, type App, type Kysely, type KitOptions, type ServiceClient } from '@schakel/service-kit';
import type { LspConfig } from './config.js';
import type { LspDatabase } from './migrations.js';
import { addressBookRoutes, createAddressBook } from './address-book.js';
import { createReferenceIndex, referenceIndexRoutes } from './reference-index.js';
import { consentRoutes, createConsentStore } from './consent.js';
import { accessLogRoutes, createAccessLog } from './access-log.js';
import { medicationQueryRoutes } from './medication-query.js';
import { DEFAULT_PROTOCOL, type ProtocolRow } from './protocol.js';

export interface LspDeps {
  db: Kysely<LspDatabase>;
  client?: ServiceClient;
  protocol?: ProtocolRow[];
  kit?: KitOptions;
}

/** The switch point: address book, reference index, consent, access log, and the fanned-out queries. */
export async function buildApp(config: Pick<LspConfig, 'SOURCE_TIMEOUT_MS' | 'LOG_LEVEL'>, deps: LspDeps): Promise<App> {
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
      ],
    },
    { logLevel: config.LOG_LEVEL, ...deps.kit },
  );
  const client = deps.client ?? createServiceClient({ timeoutMs: config.SOURCE_TIMEOUT_MS });
  const book = createAddressBook(deps.db);
  const index = createReferenceIndex(deps.db);
  const consents = createConsentStore(deps.db);
  const accessLog = createAccessLog(deps.db);

  addressBookRoutes(app, book);
  referenceIndexRoutes(app, index, book);
  consentRoutes(app, consents);
  accessLogRoutes(app, accessLog);
  medicationQueryRoutes(app, { book, index, consents, accessLog, client, protocol: deps.protocol ?? DEFAULT_PROTOCOL, sourceTimeoutMs: config.SOURCE_TIMEOUT_MS });

  app.addHook('onClose', async () => {
    if (deps.client === undefined) await client.close();
  });
  return app;
}
