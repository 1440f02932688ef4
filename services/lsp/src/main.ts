import { readFileSync } from 'node:fs';
import {
  announceReady,
  launcherControl,
  listen,
  openStore,
  readTlsFiles,
  runMain,
  runReplicated,
  storeSettings,
} from '@schakel/service-kit';
import { nviDatabaseOf, nviSchemaOf, parseLspConfig, type LspConfig } from './config.js';
import { openNviStore } from './nvi/store.js';
import { pseudonymKey } from './nvi/pseudonym-service.js';
import { migrations, type LspDatabase } from './migrations.js';
import { buildApp } from './app.js';
import { loadProtocol } from './authorisation/protocol.js';

runMain(async () => {
  const config = parseLspConfig();
  if (config.REPLICAS > 1 && config.DATABASE === ':memory:' && config.DATABASE_URL === undefined)
    throw new Error('REPLICAS > 1 needs a store the replicas share: set DATABASE to a file, or DATABASE_URL');
  await runReplicated('lsp', config.REPLICAS, () => serve(config));
});

async function serve(config: LspConfig): Promise<void> {
  const db = await openStore<LspDatabase>({ ...storeSettings(config), migrations });
  const nviDatabase = nviDatabaseOf(config);
  // On PostgreSQL the NVI's store is a schema of its own beside the switch point's (lsp_nvi), not a file.
  const nviDb = await openNviStore(
    nviDatabase,
    config.DATABASE_URL === undefined ? undefined : { ...storeSettings(config), schema: nviSchemaOf(config) },
  );
  const tls = readTlsFiles(config);
  if (tls === undefined)
    throw new Error(
      'TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE are required: every hop is mutual TLS (npm start creates them)',
    );
  const app = await buildApp(config, {
    db,
    cardCaPem: readFileSync(config.CARD_CA_FILE, 'utf8'),
    protocol: loadProtocol(config.PROTOCOL_FILE),
    policies: {
      coronaOptIn: config.POLICY_CORONA_OPT_IN === 'on',
      stopButton: config.POLICY_STOP_BUTTON === 'on',
      presumedConsent: config.POLICY_PRESUMED_CONSENT === 'on',
    },
    // Started by the launcher: the operator's process control goes to it over the IPC channel.
    control: launcherControl(),
    nviDb,
    pseudonymKey: pseudonymKey(config.PSEUDONYM_KEY, nviDatabase),
    kit: { logLevel: config.LOG_LEVEL, tls },
  });
  app.addHook('onClose', async () => {
    await db.destroy();
    await nviDb.destroy();
  });
  const { url } = await listen(app, config.HOST, config.PORT);
  app.log.info({ url }, 'switch point listening');
  announceReady('lsp', url);
}
