import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, type ProvisionedUser } from '@schakel/service-kit';
import { openPki, type Pki } from '@schakel/trust/pki';
import { ADMIN_SYSTEM } from './identities.js';
import { ORGANISATION_TYPE_OF, usersOf, type OrganisationSpec, type Topology } from './topology.js';

/** Where an organisation's front-office users (password hashes only) are written for it to load at start-up. */
export const frontOfficeUsersFile = (pkiDir: string, o: Pick<OrganisationSpec, 'id'>) =>
  join(pkiDir, 'front-office', `${o.id}.users.json`);

/**
 * Everything a topology needs from the test PKI, issued once and reused after: a certificate for the
 * switch point, one per organisation's system, the operator's admin certificate, and a UZI card for every
 * professional the topology names (files under <pkiDir>/systems and <pkiDir>/professionals/<URA>), and
 * each organisation's front-office users with scrypt hashes of their test passwords (<pkiDir>/front-office),
 * written anew each time so that a changed topology file takes effect at the next start.
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
    const users: ProvisionedUser[] = [];
    for (const u of usersOf(o))
      users.push({ username: u.username, professional: u.professional, passwordHash: await hashPassword(u.password) });
    mkdirSync(join(pkiDir, 'front-office'), { recursive: true });
    writeFileSync(frontOfficeUsersFile(pkiDir, o), `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  }
  return pki;
}
