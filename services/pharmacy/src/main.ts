import { z } from 'zod';
import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { migrations, type PharmacyDatabase } from './migrations.js';
import { buildApp } from './app.js';

runMain(async () => {
  // CREDENTIALS_DIR: the pharmacists' UZI cards, for the covering pharmacist's signed queries.
  const config = parseConfig({ ...organisationConfigShape, CREDENTIALS_DIR: z.string().min(1) });
  const cards = createCredentialDirectory(config.CREDENTIALS_DIR);
  await runOrganisation<PharmacyDatabase>({
    service: 'pharmacy',
    config,
    organisationType: 'J8',
    provides: ['MEDVERSTREKKING'],
    migrations,
    build: (deps) => buildApp(config, { ...deps, cards }),
  });
});
