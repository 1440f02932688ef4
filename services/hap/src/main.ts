import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { migrations, type HapDatabase } from './migrations.js';
import { buildApp } from './app.js';

runMain(async () => {
  const config = parseConfig(organisationConfigShape);
  await runOrganisation<HapDatabase>({ service: 'hap', config, organisationType: 'N6', provides: [], migrations, build: (deps) => buildApp(config, deps) });
});
