import { audience, createServiceApp, frontOfficeOf, type App, type Migrations, type OrganisationConfig, type OrganisationDeps } from '@schakel/service-kit';
import { DEFAULT_REPORT_CONFIG, consultMigration, consultRoutes, observationReportRoutes, reportMigration, type ConsultDatabase, type ReportConfig } from '@schakel/consult';
import type { CredentialDirectory } from '@schakel/trust/assertion';

export type HapDatabase = ConsultDatabase;
export const migrations: Migrations = { '001-consults': consultMigration, '002-reports': reportMigration };

/**
 * The after-hours GP post (huisartsenpost, HAP): covering GPs open consults, query the switch point, and
 * send the observation report (waarneemverslag) to the patient's own GP through a durable outbox.
 */
export async function buildApp(
  config: Pick<OrganisationConfig, 'ORG_NAME' | 'ORG_URA' | 'APPLICATION_ID'> & Partial<ReportConfig>,
  deps: OrganisationDeps<HapDatabase> & { cards: CredentialDirectory },
): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'hap',
      title: `${config.ORG_NAME} (after-hours GP post, HAP)`,
      description:
        'An after-hours GP post (huisartsenpost, N6). A covering GP opens a consult for a BSN, asks the switch point for the patient’s medication and professional summary, records the encounter and sends the observation report (REPC_IN990003NL) to the patient’s own GP.',
      tags: [
        { name: 'consults', description: 'Consults of the covering GP' },
        { name: 'reports', description: 'Observation reports (waarneemverslagen) to the patient’s own GP: the encounter, the outbox and its delivery state' },
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
