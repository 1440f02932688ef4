import { z } from 'zod';
import { AMBULANCE_SERVICE_TYPE } from '@schakel/contracts';
import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { reportConfigShape } from '@schakel/consult';
import { buildApp, migrations, type AmbulanceDatabase } from './app.js';

runMain(async () => {
  // CREDENTIALS_DIR: the UZI cards of the crew's professionals (npm start issues them from the topology).
  const config = parseConfig({ ...organisationConfigShape, ...reportConfigShape, CREDENTIALS_DIR: z.string().min(1) });
  const cards = createCredentialDirectory(config.CREDENTIALS_DIR);
  await runOrganisation<AmbulanceDatabase>({ service: 'ambulance', config, organisationType: AMBULANCE_SERVICE_TYPE, provides: [], migrations, build: (deps) => buildApp(config, { ...deps, cards }) });
});
