import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { buildApp, gpConfigShape, migrations, type GpDatabase } from './app.js';

runMain(async () => {
  const config = parseConfig({ ...organisationConfigShape, ...gpConfigShape });
  await runOrganisation<GpDatabase>({
    service: 'gp',
    config,
    organisationType: 'Z3',
    provides: ['WAARNEEMGEGEVENS'],
    migrations,
    build: (deps) => buildApp(config, deps),
  });
});
