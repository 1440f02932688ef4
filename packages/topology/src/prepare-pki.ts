import { openPki, type Pki } from '@schakel/trust/pki';
import { ADMIN_SYSTEM } from './identities.js';
import { ORGANISATION_TYPE_OF, type Topology } from './topology.js';

/**
 * Everything a topology needs from the test PKI, issued once and reused after: a certificate for the
 * switch point, one per organisation's system, the operator's admin certificate, and a UZI card for every
 * professional the topology names (files under <pkiDir>/systems and <pkiDir>/professionals/<URA>).
 */
export async function preparePki(topology: Topology, pkiDir: string): Promise<Pki> {
  const pki = await openPki(pkiDir);
  const sp = topology.switchPoint;
  await pki.ensureSystem({
    id: sp.id,
    name: sp.name,
    ura: sp.ura,
    applicationId: sp.applicationId,
    role: 'switch-point',
  });
  await pki.ensureSystem(ADMIN_SYSTEM);
  for (const o of topology.organisations) {
    await pki.ensureSystem({
      id: o.id,
      name: o.name,
      ura: o.ura,
      applicationId: o.applicationId,
      organisationType: ORGANISATION_TYPE_OF[o.service],
    });
    for (const p of o.professionals) await pki.ensureProfessional({ ...p, ura: o.ura });
  }
  return pki;
}
