import { createServiceApp, patientRegisterMigration, patientRegisterRoutes, type App, type Migrations, type OrganisationConfig, type OrganisationDeps, type PatientRegisterTable } from '@schakel/service-kit';

export type GpDatabase = PatientRegisterTable;
export const migrations: Migrations = { '001-patients': patientRegisterMigration };

/**
 * A GP practice system (HIS). For now it holds its own patient register and is entered in the address
 * book; the professional summary (QUPC_IN990001NL) and the observation-report inbox come with issues #5 and #6.
 */
export async function buildApp(config: Pick<OrganisationConfig, 'ORG_NAME'>, deps: OrganisationDeps<GpDatabase>): Promise<App> {
  const app = await createServiceApp(
    {
      service: 'gp',
      title: `${config.ORG_NAME} (GP system, HIS)`,
      description: 'A GP practice (huisartspraktijk, Z3). Holds its own patients.',
      tags: [{ name: 'patients', description: 'The organisation’s patients' }],
    },
    deps.kit,
  );
  patientRegisterRoutes(app, deps.db);
  return app;
}
