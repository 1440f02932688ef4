import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { buildApp, migrations, type SehDatabase } from './app.js';

runMain(async () => {
  const config = parseConfig(organisationConfigShape);
  await runOrganisation<SehDatabase>({ service: 'seh', config, organisationType: 'V4', provides: [], migrations, build: (deps) => buildApp(config, deps) });
});
