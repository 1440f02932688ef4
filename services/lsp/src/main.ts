import { announceReady, listen, openStore, runMain } from '@schakel/service-kit';
import { parseLspConfig } from './config.js';
import { migrations, type LspDatabase } from './migrations.js';
import { buildApp } from './app.js';

runMain(async () => {
  const config = parseLspConfig();
  const db = await openStore<LspDatabase>({ database: config.DATABASE, migrations });
  const app = await buildApp(config, { db });
  app.addHook('onClose', async () => db.destroy());
  const { url } = await listen(app, config.HOST, config.PORT);
  app.log.info({ url }, 'switch point listening');
  announceReady('lsp', url);
});
