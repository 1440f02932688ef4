import { audience, createServiceApp, frontOfficeOf, type App, type Migrations, type OrganisationConfig, type OrganisationDeps } from '@schakel/service-kit';
import { DEFAULT_REPORT_CONFIG, consultMigration, consultRoutes, observationReportRoutes, reportMigration, type ConsultDatabase, type ReportConfig } from '@schakel/consult';
import type { CredentialDirectory } from '@schakel/trust/assertion';

export type AmbulanceDatabase = ConsultDatabase;
export const migrations: Migrations = { '001-consults': consultMigration, '002-reports': reportMigration };

/**
 * An ambulance service (regionale ambulancevoorziening, RAV; organisation type A1 in Schakel): the
 * acute-care consumer the "Met spoed beschikbaar" programme adds. The ambulance professional (80.000)
 * opens a consult at the scene, queries medication and, under the acute-care rules, the professional
 * summary (presumed consent when the patient cannot consent and never objected), and sends the feedback
 * report to the patient's own GP through the same durable outbox as the HAP and the SEH.
 */
export async function buildApp(
  config: Pick<OrganisationConfig, 'ORG_NAME' | 'ORG_URA' | 'APPLICATION_ID'> & Partial<ReportConfig>,
  deps: OrganisationDeps<AmbulanceDatabase> & { cards: CredentialDirectory },
): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'ambulance',
      title: `${config.ORG_NAME} (ambulance service, RAV)`,
      description: 'An ambulance service (RAV). Ambulance professionals open consults for acute care and query the switch point; feedback reports go to the patient’s own GP.',
      tags: [
        { name: 'consults', description: 'Acute-care consults of the ambulance crew' },
        { name: 'reports', description: 'Feedback reports to the patient’s own GP: the encounter, the outbox and its delivery state' },
      ],
    },
    deps.kit,
  );
  // Everything here is the organisation's own front office: the switch point never calls it.
  await audience(app, 'front-office', frontOfficeOf(config.ORG_URA), (front) => {
    consultRoutes(front, deps.db, deps.lsp, { applicationId: config.APPLICATION_ID }, deps.cards);
    observationReportRoutes(front, deps.db, { lsp: deps.lsp, me: { applicationId: config.APPLICATION_ID }, cards: deps.cards, config: { ...DEFAULT_REPORT_CONFIG, ...config } });
  });
  return app;
}
