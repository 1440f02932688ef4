import type { Topology } from '@schakel/topology';
import type { LoadedScenario } from './run.js';

/**
 * The topology with every professional the scenarios name (`given.professionals`) added to their
 * organisation, so that starting it issues their UZI cards; where the organisation's front office has
 * local test users, each added professional gets one too (username u<UZI>, password u<UZI>-test).
 */
export function withProfessionals(topology: Topology, scenarios: LoadedScenario[]): Topology {
  const copy: Topology = structuredClone(topology);
  for (const s of scenarios)
    for (const p of s.scenario?.given.professionals ?? []) {
      const org = copy.organisations.find((o) => o.id === p.at);
      if (org === undefined || org.professionals.some((q) => q.uziNumber === p.uziNumber)) continue;
      org.professionals.push({ uziNumber: p.uziNumber, roleCode: p.roleCode, name: p.name });
      if (org.users.length > 0)
        org.users.push({ username: `u${p.uziNumber}`, password: `u${p.uziNumber}-test`, uziNumber: p.uziNumber });
    }
  return copy;
}
