import { createServiceApp, type App, type Migrations, type OrganisationConfig, type OrganisationDeps } from '@schakel/service-kit';
import { consultMigration, consultRoutes, type ConsultDatabase } from '@schakel/consult';
import type { CredentialDirectory } from '@schakel/trust/assertion';

export type HapDatabase = ConsultDatabase;
export const migrations: Migrations = { '001-consults': consultMigration };

/** The after-hours GP post (huisartsenpost, HAP): covering GPs open consults and query the switch point. */
export async function buildApp(config: Pick<OrganisationConfig, 'ORG_NAME' | 'APPLICATION_ID'>, deps: OrganisationDeps<HapDatabase> & { cards: CredentialDirectory }): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'hap',
      title: `${config.ORG_NAME} (after-hours GP post, HAP)`,
      description: 'An after-hours GP post (huisartsenpost, N6). A covering GP opens a consult for a BSN and asks the switch point for the patient’s medication and professional summary.',
      tags: [{ name: 'consults', description: 'Consults of the covering GP' }],
    },
    deps.kit,
  );
  consultRoutes(app, deps.db, deps.lsp, { applicationId: config.APPLICATION_ID }, deps.cards);
  return app;
}
