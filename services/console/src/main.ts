import { announceReady, createLogger, listen, runMain } from '@schakel/service-kit';
import { buildConsoleApp } from './app.js';
import { parseConsoleConfig } from './config.js';

runMain(async () => {
  const config = parseConsoleConfig();
  const app = await buildConsoleApp(config, {
    patients: config.CONSOLE_PATIENTS,
    kit: { logger: createLogger('console', config.LOG_LEVEL) },
  });
  await listen(app, config.HOST, config.PORT, async (url) => announceReady('console', url));
});
