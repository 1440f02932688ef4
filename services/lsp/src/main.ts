import { readFileSync } from 'node:fs';
import { announceReady, launcherControl, listen, openStore, readTlsFiles, runMain } from '@schakel/service-kit';
import { nviDatabaseOf, parseLspConfig } from './config.js';
import { openNviStore } from './nvi/store.js';
import { pseudonymKey } from './nvi/pseudonym-service.js';
import { migrations, type LspDatabase } from './migrations.js';
import { buildApp } from './app.js';
import { loadProtocol } from './authorisation/protocol.js';

runMain(async () => {
  const config = parseLspConfig();
  const db = await openStore<LspDatabase>({ database: config.DATABASE, migrations });
  const nviDatabase = nviDatabaseOf(config);
  const nviDb = await openNviStore(nviDatabase);
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
});
