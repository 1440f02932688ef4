import { createServiceApp, patientRegisterMigration, patientRegisterRoutes, type App, type Migrations, type OrganisationConfig, type OrganisationDeps, type PatientRegisterTable } from '@schakel/service-kit';

export type SehDatabase = PatientRegisterTable;
export const migrations: Migrations = { '001-patients': patientRegisterMigration };

/**
 * An emergency department system (SEH, in a hospital's ZIS/EPD). For now it holds its own patient register and
 * is entered in the address book; its consult flow and acute-care queries come with issues #4 and #6.
 */
export async function buildApp(config: Pick<OrganisationConfig, 'ORG_NAME'>, deps: OrganisationDeps<SehDatabase>): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'seh',
      title: `${config.ORG_NAME} (emergency department, SEH)`,
      description: 'An emergency department (spoedeisende hulp) in a hospital (V4). Holds its own patients.',
      tags: [{ name: 'patients', description: 'The organisation’s patients' }],
    },
    deps.kit,
  );
  patientRegisterRoutes(app, deps.db);
  return app;
}
