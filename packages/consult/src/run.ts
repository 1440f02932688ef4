import { z } from 'zod';
import { organisationConfigShape, parseConfig, runMain, runOrganisation } from '@schakel/service-kit';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { reportConfigShape } from './delivery.js';
import { buildConsumerApp, consumerMigrations, type ConsumerProfile } from './consumer.js';
import type { ConsultDatabase } from './migrations.js';

/** Every consumer reads the organisation's variables, the report delivery settings and where its UZI cards are. */
export const consumerConfigShape = {
  ...organisationConfigShape,
  ...reportConfigShape,
  CREDENTIALS_DIR: z.string().min(1),
};

/** The one entry of every consumer service (`services/<kind>/src/main.ts` calls it with its profile). */
export function runConsumer(profile: ConsumerProfile): void {
  runMain(async () => {
    const config = parseConfig(consumerConfigShape);
    const cards = createCredentialDirectory(config.CREDENTIALS_DIR);
    await runOrganisation<ConsultDatabase>({
      service: profile.service,
      config,
      organisationType: profile.organisationType,
      // A consumer holds nothing the switch point would ask for.
      provides: [],
      migrations: consumerMigrations(profile),
      build: (deps) => buildConsumerApp(profile, config, { ...deps, cards }),
    });
  });
}
