import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { migrations, type PharmacyDatabase } from './migrations.js';
import { buildApp } from './app.js';

runMain(async () => {
  const config = parseConfig(organisationConfigShape);
  await runOrganisation<PharmacyDatabase>({
    service: 'pharmacy',
    config,
    organisationType: 'J8',
    provides: ['MEDVERSTREKKING'],
    migrations,
    build: (deps) => buildApp(config, deps),
  });
});
