import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { buildApp, migrations, type GpDatabase } from './app.js';

runMain(async () => {
  const config = parseConfig(organisationConfigShape);
  await runOrganisation<GpDatabase>({ service: 'gp', config, organisationType: 'Z3', provides: [], migrations, build: (deps) => buildApp(config, deps) });
});
