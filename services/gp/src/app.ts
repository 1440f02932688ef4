import { z } from 'zod';
import { now } from '@schakel/contracts';
import {
  audience,
  createServiceApp,
  createSourceLog,
  frontOfficeOf,
  setUpFrontOffice,
  holderConsentRoutes,
  sourceLogRoutes,
  switchPointOnly,
  type App,
  type OrganisationConfig,
  type OrganisationDeps,
} from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';
import { GpConsent, consentOf, createPatientStore, patientRoutes, type GpPatient } from './patients.js';
import { createRecordStore } from './record-store.js';
import { recordRoutes } from './record.js';
import { createSummaryAnswers, summaryQueryRoutes } from './summary-query.js';
import { aortaLegRoutes } from './aorta-leg.js';
import { fhirLegRoutes } from './fhir-leg.js';
import { createDisclosureStore } from './disclosure-store.js';
import { disclosureRoutes } from './disclosures.js';
import { createInboxStore } from './inbox-store.js';
import { createReportReceiver, inboxDeliveryRoutes, inboxRoutes } from './inbox.js';
import { coronaOptInRoutes, createCoronaOptIn, policyNoticeRoutes } from './corona-opt-in.js';
import { sharingDeclineRoutes } from './sharing-declines.js';
import { createReferralStore } from './referral-store.js';
import { referralRoutes } from './referrals.js';

export { migrations, type GpDatabase } from './migrations.js';

/** The practice's own settings, from env at boot beside the organisation's variables. */
export const gpConfigShape = {
  /** How many months of journal and measurements the professional summary covers. */
  SUMMARY_JOURNAL_MONTHS: z.coerce.number().int().min(1).max(60).default(4),
};
const GP_DEFAULTS = z.object(gpConfigShape).parse({});

/** Who the practice is (always: the switch point and its front office know it by these), and its settings. */
export type GpConfig = Pick<OrganisationConfig, 'ORG_NAME' | 'ORG_URA' | 'APPLICATION_ID'> &
  Partial<z.infer<z.ZodObject<typeof gpConfigShape>>>;

export interface GpOptions {
  /** The clock the summary's period is counted from (tests pin it). */
  now?: () => Date;
}

/**
 * A GP practice system (HIS): its patients and their record, the patient's consent choice (registering the
 * professional summary in the reference index), the source leg of QUPC_IN990001NL, and the register of
 * disclosures to non-care providers, and the inbox of observation reports (REPC_IN990003NL) the switch point delivers.
 * The switch point's legs answer in JSON and in HL7v3 over SOAP (aorta-leg.ts) from the same functions.
 */
export async function buildApp(
  config: GpConfig,
  deps: OrganisationDeps<GpDatabase>,
  options: GpOptions = {},
): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'gp',
      title: `${config.ORG_NAME} (GP system, HIS)`,
      description:
        'A GP practice (huisartspraktijk, Z3). Holds its patients and their record (episodes, SOEP journal, measurements, prescriptions, allergies, contra-indications, notes for the covering GP, behandelgrenzen); answers QUPC_IN990001NL with the professional summary; receives observation reports (REPC_IN990003NL) in its inbox; keeps the register of disclosures to non-care providers.',
      tags: [
        { name: 'patients', description: 'The organisation’s patients' },
        { name: 'record', description: 'Front office: the GP record (HIS)' },
        { name: 'consent', description: 'The patient’s choice about sharing through the switch point' },
        { name: 'switch point', description: 'Calls from the switch point, and their log' },
        {
          name: 'disclosures',
          description: 'Requests from non-care providers and what was disclosed (never through the switch point)',
        },
        {
          name: 'referrals',
          description:
            'Referrals to a medical specialist: the letter without the items the patient objected to, and its delivery',
        },
        {
          name: 'inbox',
          description:
            'Observation reports (waarneemverslagen) from the HAP, SEH and ambulance, with read / processed state',
        },
      ],
    },
    deps.kit,
  );
  const me = { ura: config.ORG_URA, applicationId: config.APPLICATION_ID, name: config.ORG_NAME };
  // Stores first, then the routes of each audience (the register order of fastify/demo's src/app.ts).
  const patients = createPatientStore(deps.db);
  const record = createRecordStore(deps.db);
  const disclosures = createDisclosureStore(deps.db);
  const inbox = createInboxStore(deps.db);
  const log = createSourceLog(deps.db);
  const optIn = createCoronaOptIn(deps.db, deps.lsp, me);
  const referrals = createReferralStore(deps.db);
  const journalMonths = config.SUMMARY_JOURNAL_MONTHS ?? GP_DEFAULTS.SUMMARY_JOURNAL_MONTHS;
  // The switch point's legs: only its certificate. Everything else is the practice's own front office.
  const answers = createSummaryAnswers({
    log,
    patients,
    record,
    settings: {
      practice: { ura: me.ura, name: me.name },
      journalMonths,
      now: options.now ?? now,
    },
  });
  const receive = createReportReceiver({ inbox, patients, log });
  // The switch point's legs: only its certificate. Everything else is the practice's own front office.
  // Every wire answers from the same functions; the address book says which one the switch point uses.
  await audience(app, 'switch-point-legs', switchPointOnly('gp'), async (legs) => {
    await legs.register(summaryQueryRoutes, { answers, journalMonths });
    await legs.register(inboxDeliveryRoutes, { receive });
    await legs.register(aortaLegRoutes, { answers, receive, me });
    await legs.register(fhirLegRoutes, { answers });
    policyNoticeRoutes(legs, optIn);
  });
  await setUpFrontOffice(app, { db: deps.db, ura: me.ura });
  await audience(app, 'front-office', frontOfficeOf(me.ura), async (front) => {
    await front.register(patientRoutes, { patients });
    await front.register(recordRoutes, { patients, record });
    await front.register(holderConsentRoutes<GpPatient, GpConsent>, {
      lsp: deps.lsp,
      holder: me,
      category: 'WAARNEEMGEGEVENS',
      data: 'the professional summary',
      patients,
      answer: { schema: GpConsent, of: consentOf },
    });
    await front.register(sourceLogRoutes, { log });
    await front.register(disclosureRoutes, { patients, disclosures });
    await front.register(inboxRoutes, { inbox });
    coronaOptInRoutes(front, { optIn, patients });
    sharingDeclineRoutes(front, deps.db, patients);
    await front.register(referralRoutes, { patients, record, referrals, lsp: deps.lsp, client: deps.client, me });
  });
  return app;
}
