import type { OrganisationType } from '@schakel/contracts';
import {
  audience,
  createPatientRegister,
  createServiceApp,
  frontOfficeMigration,
  frontOfficeOf,
  patientRegisterMigration,
  systemsOfType,
  patientRegisterRoutes,
  setUpFrontOffice,
  type App,
  type Migrations,
  type OrganisationConfig,
  type OrganisationDeps,
} from '@schakel/service-kit';
import type { CredentialDirectory } from '@schakel/trust/assertion';
import { consultMigration, referralLetterMigration, reportMigration, type ConsultDatabase } from './migrations.js';
import { createReferralLetterStore, referralInboxRoutes, referralLetterRoutes } from './referral-letters.js';
import { createConsultStore } from './consult-store.js';
import { createOutbox } from './outbox.js';
import { consultRoutes } from './consults.js';
import { observationReportRoutes } from './reports.js';
import { DEFAULT_REPORT_CONFIG, type ReportConfig } from './delivery.js';

/**
 * What sets one kind of consumer organisation apart from another (the after-hours post, the emergency
 * department, the ambulance service): they all open consults, query the switch point with the
 * professional's card and send the report to the patient's own GP; they differ in name, organisation type
 * and whether they keep a patient register of their own.
 */
export interface ConsumerProfile {
  /** The kind of service: `services/<service>`, the name the topology starts and bundles it by, and in its logs. */
  service: string;
  /** Entered in the switch point's address book; the authorisation protocol's rows are per organisation type. */
  organisationType: OrganisationType;
  /** Follows the organisation's name in the title of its API docs, e.g. "after-hours GP post, HAP". */
  kind: string;
  /** The description of its API docs. */
  description: string;
  /** The tags of its API docs (consults, reports, and patients when it keeps a register), with a description each. */
  tags: { name: string; description: string }[];
  /** Whether it keeps its own patient register (`PUT` and `GET /patients/{bsn}`): the SEH does. */
  patientRegister: boolean;
  /** Whether GP systems send it referral letters (`POST /referrals/letters`): the hospital does. */
  receivesReferrals?: boolean;
}

export type ConsumerConfig = Pick<OrganisationConfig, 'ORG_NAME' | 'ORG_URA' | 'APPLICATION_ID'> &
  Partial<ReportConfig>;
export type ConsumerDeps = OrganisationDeps<ConsultDatabase> & {
  /** The UZI cards of the organisation's professionals (npm start issues them from the topology). */
  cards: CredentialDirectory;
};

/** The organisation types of GP systems, which may send a referral letter (dispensing practice, GP institution included). */
const GP_TYPES = ['Z3', 'K3', 'H1'] as const;

/** The store's migrations. Their names are the ones existing stores applied, so they never change. */
export function consumerMigrations(profile: ConsumerProfile): Migrations {
  const base: Migrations = profile.patientRegister
    ? { '001-patients': patientRegisterMigration, '002-consults': consultMigration, '003-reports': reportMigration }
    : { '001-consults': consultMigration, '002-reports': reportMigration };
  // The hospital's referral letters came first; the front office's users after them (a later name).
  if (profile.receivesReferrals === true)
    return { ...base, '004-referral-letters': referralLetterMigration, '005-front-office': frontOfficeMigration };
  return { ...base, [profile.patientRegister ? '004-front-office' : '003-front-office']: frontOfficeMigration };
}

/** A consumer organisation's system, built from its profile: everything is its own front office. */
export async function buildConsumerApp(
  profile: ConsumerProfile,
  config: ConsumerConfig,
  deps: ConsumerDeps,
): Promise<App> {
  const app = await createServiceApp(
    {
      service: profile.service,
      title: `${config.ORG_NAME} (${profile.kind})`,
      description: profile.description,
      tags: profile.tags,
    },
    deps.kit,
  );
  const consults = createConsultStore(deps.db);
  const outbox = createOutbox(deps.db);
  const me = { applicationId: config.APPLICATION_ID };
  const letters = profile.receivesReferrals === true ? createReferralLetterStore(deps.db) : undefined;
  // GP systems send referral letters directly (decisions.md 28): their own audience, GP certificates only.
  if (letters !== undefined)
    await audience(app, 'referrers', systemsOfType(GP_TYPES, 'a GP system'), async (gps) => {
      await gps.register(referralInboxRoutes, { letters, me });
    });
  // The switch point never calls a consumer: every other route is the organisation's own front office,
  // where a local user logs in first.
  await setUpFrontOffice(app, { db: deps.db, ura: config.ORG_URA });
  await audience(app, 'front-office', frontOfficeOf(config.ORG_URA), async (front) => {
    if (letters !== undefined) await front.register(referralLetterRoutes, { letters });
    if (profile.patientRegister)
      await front.register(patientRegisterRoutes, { patients: createPatientRegister(deps.db) });
    await front.register(consultRoutes, { consults, lsp: deps.lsp, me, cards: deps.cards });
    await front.register(observationReportRoutes, {
      consults,
      outbox,
      lsp: deps.lsp,
      me,
      cards: deps.cards,
      config: { ...DEFAULT_REPORT_CONFIG, ...config },
    });
  });
  return app;
}
