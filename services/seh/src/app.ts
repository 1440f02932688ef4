import { audience, createServiceApp, frontOfficeOf, patientRegisterMigration, patientRegisterRoutes, type App, type Migrations, type OrganisationConfig, type OrganisationDeps, type PatientRegisterTable } from '@schakel/service-kit';
import { DEFAULT_REPORT_CONFIG, consultMigration, consultRoutes, observationReportRoutes, reportMigration, type ConsultDatabase, type ReportConfig } from '@schakel/consult';
import type { CredentialDirectory } from '@schakel/trust/assertion';

export type SehDatabase = PatientRegisterTable & ConsultDatabase;
export const migrations: Migrations = { '001-patients': patientRegisterMigration, '002-consults': consultMigration, '003-reports': reportMigration };

/**
 * An emergency department (SEH, in a hospital's ZIS/EPD): its own patient register, and consults in which
 * the SEH doctor queries medication and, under the acute-care rules, the professional summary (presumed
 * consent when the patient cannot consent and never objected), and the feedback report to the patient's own GP
 * (REPC_IN990003NL, "Met spoed beschikbaar") through a durable outbox.
 */
export async function buildApp(config: Pick<OrganisationConfig, 'ORG_NAME' | 'ORG_URA' | 'APPLICATION_ID'> & Partial<ReportConfig>, deps: OrganisationDeps<SehDatabase> & { cards: CredentialDirectory }): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'seh',
      title: `${config.ORG_NAME} (emergency department, SEH)`,
      description: 'An emergency department (spoedeisende hulp) in a hospital (V4). Holds its own patients; SEH doctors open consults and query the switch point.',
      tags: [
        { name: 'patients', description: 'The department’s patients' },
        { name: 'consults', description: 'Consults of the SEH doctor' },
        { name: 'reports', description: 'Feedback reports to the patient’s own GP: the encounter, the outbox and its delivery state' },
      ],
    },
    deps.kit,
  );
  // Everything here is the organisation's own front office: the switch point never calls it.
  await audience(app, 'front-office', frontOfficeOf(config.ORG_URA), (front) => {
    patientRegisterRoutes(front, deps.db);
    consultRoutes(front, deps.db, deps.lsp, { applicationId: config.APPLICATION_ID }, deps.cards);
    observationReportRoutes(front, deps.db, { lsp: deps.lsp, me: { applicationId: config.APPLICATION_ID }, cards: deps.cards, config: { ...DEFAULT_REPORT_CONFIG, ...config } });
  });
  return app;
}
