import { createServiceApp, patientRegisterMigration, patientRegisterRoutes, type App, type Migrations, type OrganisationConfig, type OrganisationDeps, type PatientRegisterTable } from '@schakel/service-kit';
import { consultMigration, consultRoutes, type ConsultDatabase } from '@schakel/consult';
import type { CredentialDirectory } from '@schakel/trust/assertion';

export type SehDatabase = PatientRegisterTable & ConsultDatabase;
export const migrations: Migrations = { '001-patients': patientRegisterMigration, '002-consults': consultMigration };

/**
 * An emergency department (SEH, in a hospital's ZIS/EPD): its own patient register, and consults in which
 * the SEH doctor queries medication and, under the acute-care rules, the professional summary (presumed
 * consent when the patient cannot consent and never objected).
 */
export async function buildApp(config: Pick<OrganisationConfig, 'ORG_NAME' | 'APPLICATION_ID'>, deps: OrganisationDeps<SehDatabase> & { cards: CredentialDirectory }): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'seh',
      title: `${config.ORG_NAME} (emergency department, SEH)`,
      description: 'An emergency department (spoedeisende hulp) in a hospital (V4). Holds its own patients; SEH doctors open consults and query the switch point.',
      tags: [
        { name: 'patients', description: 'The department’s patients' },
        { name: 'consults', description: 'Consults of the SEH doctor' },
      ],
    },
    deps.kit,
  );
  patientRegisterRoutes(app, deps.db);
  consultRoutes(app, deps.db, deps.lsp, { applicationId: config.APPLICATION_ID }, deps.cards);
  return app;
}
