import { z } from 'zod';
import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { buildApp, migrations, type GpDatabase } from './app.js';

runMain(async () => {
  const config = parseConfig({ ...organisationConfigShape, SUMMARY_JOURNAL_MONTHS: z.coerce.number().int().min(1).max(60).default(4) });
  await runOrganisation<GpDatabase>({ service: 'gp', config, organisationType: 'Z3', provides: ['WAARNEEMGEGEVENS'], migrations, build: (deps) => buildApp(config, deps) });
});
