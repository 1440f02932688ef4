import {
  audience,
  createServiceApp,
  holderConsentRoutes,
  createSourceLog,
  frontOfficeOf,
  setUpFrontOffice,
  sourceLogRoutes,
  switchPointOnly,
  type App,
  type OrganisationConfig,
  type OrganisationDeps,
} from '@schakel/service-kit';
import { createSignedQueries } from '@schakel/consult';
import type { CredentialDirectory } from '@schakel/trust/assertion';
import type { PharmacyDatabase } from './migrations.js';
import { PharmacyPatient, createPharmacyStore } from './store.js';
import {
  createMedicationAnswers,
  fhirSourceRoutes,
  frontOfficeRoutes,
  hl7v3SourceRoutes,
  sourceRoutes,
} from './routes.js';
import { coveringRoutes } from './covering.js';

export type PharmacyConfig = Pick<OrganisationConfig, 'ORG_URA' | 'ORG_NAME' | 'APPLICATION_ID'>;
export type PharmacyDeps = OrganisationDeps<PharmacyDatabase> & {
  /** The UZI cards of the pharmacy's professionals, for the covering pharmacist's signed queries (none: every lookup is NO_CREDENTIAL). */
  cards?: CredentialDirectory;
};
const NO_CARDS: CredentialDirectory = { get: () => undefined };

/** A pharmacy system (AIS): its own patients and dispenses; a source for the switch point's medication query. */
export async function buildApp(config: PharmacyConfig, deps: PharmacyDeps): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'pharmacy',
      title: `${config.ORG_NAME} (pharmacy system, AIS)`,
      description:
        'A community pharmacy (openbare apotheek, J8). Holds its own patients and dispenses; registers consented patients in the switch point’s reference index; answers QURX_IN990011NL.',
      tags: [
        { name: 'patients', description: 'Front office: the pharmacy’s patients' },
        { name: 'dispenses', description: 'Front office: dispensed medication (medicatieverstrekkingen)' },
        { name: 'consent', description: 'The patient’s choice about sharing through the switch point' },
        {
          name: 'covering pharmacist',
          description:
            'Front office: the covering pharmacist (waarnemend apotheker) asks the other pharmacies’ dispenses',
        },
        { name: 'switch point', description: 'Calls from the switch point, and their log' },
      ],
    },
    deps.kit,
  );
  const store = createPharmacyStore(deps.db, { ura: config.ORG_URA, name: config.ORG_NAME });
  const log = createSourceLog(deps.db);
  // The switch point's leg: only its certificate. Everything else is the pharmacy's own front office.
  const answers = createMedicationAnswers(store, log);
  await audience(app, 'switch-point-legs', switchPointOnly('pharmacy'), async (legs) => {
    await legs.register(sourceRoutes, { answers });
    await legs.register(hl7v3SourceRoutes, { answers, me: { applicationId: config.APPLICATION_ID } });
    await legs.register(fhirSourceRoutes, { answers });
  });
  await setUpFrontOffice(app, { db: deps.db, ura: config.ORG_URA });
  await audience(app, 'front-office', frontOfficeOf(config.ORG_URA), async (front) => {
    await front.register(frontOfficeRoutes, { store });
    await front.register(sourceLogRoutes, { log });
    await front.register(coveringRoutes, {
      ask: createSignedQueries({
        lsp: deps.lsp,
        me: { applicationId: config.APPLICATION_ID },
        cards: deps.cards ?? NO_CARDS,
      }),
    });
    await front.register(holderConsentRoutes<PharmacyPatient, PharmacyPatient>, {
      lsp: deps.lsp,
      holder: { ura: config.ORG_URA, applicationId: config.APPLICATION_ID },
      category: 'MEDVERSTREKKING',
      data: 'medication data',
      patients: {
        get: (bsn) => store.getPatient(bsn),
        setConsent: (bsn, state, channel) => store.setConsent(bsn, state, channel),
      },
      answer: { schema: PharmacyPatient, of: (patient) => patient },
    });
  });
  return app;
}
