import { readFileSync } from 'node:fs';
import type { DataCategory, OrganisationType } from '@schakel/contracts';
import type { z } from 'zod';
import type { App, KitOptions } from './app.js';
import { createServiceClient, type ServiceClient } from './client.js';
import { createSwitchPointClient, enrolWithRetry, type SwitchPointClient } from './lsp-client.js';
import { announceReady, listen } from './server.js';
import { openStore, storeSettings, type Kysely, type Migrations } from './store.js';
import { readTlsFiles } from './tls.js';
import { SOAP_LEG_PATH } from './soap-leg.js';
import { FHIR_LEG_PATH } from './fhir-leg.js';
import { ProvisionedUsers, createFrontOfficeStore } from './front-office-users.js';
import type { organisationConfigShape } from './config.js';

export type OrganisationConfig = z.infer<z.ZodObject<typeof organisationConfigShape>>;

/** What every connected organisation's buildApp receives besides its config. */
export interface OrganisationDeps<DB> {
  db: Kysely<DB>;
  lsp: SwitchPointClient;
  /**
   * The organisation's own mutual-TLS client (the one under `lsp`), for the few calls that go to another
   * care system directly rather than through the switch point (a GP's referral letter to a hospital).
   */
  client?: ServiceClient;
  kit?: KitOptions;
}

export interface Readiness {
  enrolled: boolean;
  readiness: () => { ready: boolean; detail?: string };
}

export function createReadiness(): Readiness {
  const state: Readiness = {
    enrolled: false,
    readiness: () =>
      state.enrolled ? { ready: true } : { ready: false, detail: 'not yet entered in the switch point address book' },
  };
  return state;
}

/**
 * The shared entry of every connected system (GP, pharmacy, HAP, SEH): open its own store, build the app,
 * listen, enter itself in the switch point's address book, then report ready.
 */
export async function runOrganisation<DB>(options: {
  service: string;
  config: OrganisationConfig;
  organisationType: OrganisationType;
  provides: DataCategory[];
  migrations: Migrations;
  build: (deps: OrganisationDeps<DB>) => Promise<App>;
}): Promise<void> {
  const { config } = options;
  const db = await openStore<DB>({ ...storeSettings(config), migrations: options.migrations });
  if (config.FRONT_OFFICE_USERS_FILE !== undefined) {
    const users = ProvisionedUsers.safeParse(JSON.parse(readFileSync(config.FRONT_OFFICE_USERS_FILE, 'utf8')));
    if (!users.success)
      throw new Error(
        `FRONT_OFFICE_USERS_FILE ${config.FRONT_OFFICE_USERS_FILE} is not a list of users: ${users.error.message}`,
      );
    await createFrontOfficeStore(db).provision(users.data);
  }
  const tls = readTlsFiles(config);
  if (tls === undefined)
    throw new Error(
      'TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE are required: every hop is mutual TLS (npm start creates them)',
    );
  const client: ServiceClient = createServiceClient({ timeoutMs: config.LSP_TIMEOUT_MS, tls });
  const lsp = createSwitchPointClient(client, config.LSP_URL);
  const ready = createReadiness();
  const app = await options.build({
    db,
    lsp,
    client,
    kit: { logLevel: config.LOG_LEVEL, readiness: ready.readiness, tls },
  });
  app.addHook('onClose', async () => {
    await client.close();
    await db.destroy();
  });
  if (config.WIRE !== 'json' && options.provides.length === 0)
    throw new Error(
      `WIRE=${config.WIRE}: ${options.service} holds no data the switch point asks for, so it has no ${config.WIRE} leg`,
    );
  const { url } = await listen(app, config.HOST, config.PORT);
  const publicUrl = config.PUBLIC_URL ?? url;
  await enrolWithRetry(
    lsp,
    config.APPLICATION_ID,
    {
      ura: config.ORG_URA,
      organisationName: config.ORG_NAME,
      organisationType: options.organisationType,
      // On the AORTA wire the address book holds the endpoint itself, on FHIR the FHIR base (pipeline/legs.ts
      // at the switch point).
      baseUrl:
        config.WIRE === 'hl7v3'
          ? `${publicUrl}${SOAP_LEG_PATH}`
          : config.WIRE === 'fhir'
            ? `${publicUrl}${FHIR_LEG_PATH}`
            : publicUrl,
      provides: options.provides,
      wire: config.WIRE,
    },
    { log: (msg) => app.log.warn(msg) },
  );
  ready.enrolled = true;
  app.log.info(
    { url: publicUrl, applicationId: config.APPLICATION_ID, ura: config.ORG_URA, wire: config.WIRE },
    `${options.service} listening and entered in the address book`,
  );
  announceReady(options.service, publicUrl);
}
