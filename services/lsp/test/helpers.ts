import { asFrontOfficeUser, frontOfficeLogin, openStore } from '@schakel/service-kit';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { buildApp as buildPharmacy, migrations as pharmacyMigrations, type PharmacyDatabase } from '@schakel/pharmacy';

export const HAP = {
  id: 'hap-test',
  name: 'HAP Test',
  applicationId: '300001',
  ura: '03000001',
  organisationType: 'N6' as const,
};
export const GP_AT_HAP = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. Test' };

/** A real switch point over mutual TLS, with the HAP entered in its address book and a caller for it. */
export async function startSwitchPoint(sourceTimeoutMs = 1_000) {
  const sp = await startSwitchPointInProcess({ sourceTimeoutMs });
  await sp.admin.lsp.registerSystem(HAP.applicationId, {
    ura: HAP.ura,
    organisationName: HAP.name,
    organisationType: HAP.organisationType,
    provides: [],
  });
  const hap = await sp.system(HAP);
  return {
    ...sp,
    hap,
    /** A real pharmacy system over mutual TLS on its own ephemeral port, entered in the address book. */
    async pharmacy(applicationId: string, ura: string, name: string) {
      const me = await sp.system({ id: `apotheek-${applicationId}`, name, ura, applicationId, organisationType: 'J8' });
      const pdb = await openStore<PharmacyDatabase>({ database: ':memory:', migrations: pharmacyMigrations });
      const built = await buildPharmacy(
        { ORG_URA: ura, ORG_NAME: name, APPLICATION_ID: applicationId },
        { db: pdb, lsp: me.lsp, kit: { logLevel: 'silent', tls: me.tls } },
      );
      // The tests enter data as the pharmacist at its front office.
      const app = asFrontOfficeUser(
        built,
        await frontOfficeLogin(built, pdb, { uziNumber: '900000031', roleCode: '17.075' }),
      );
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      sp.track(app);
      await me.lsp.registerSystem(applicationId, {
        ura,
        organisationName: name,
        organisationType: 'J8',
        baseUrl: url,
        provides: ['MEDVERSTREKKING'],
      });
      return { app, url, db: pdb, me };
    },
  };
}
export type TestSwitchPoint = Awaited<ReturnType<typeof startSwitchPoint>>;
export type { InProcessSwitchPoint };
