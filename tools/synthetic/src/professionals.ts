import { Faker, base, nl } from '@faker-js/faker';
import type { Topology } from '@schakel/topology';

export interface SyntheticProfessional {
  name: string;
  roleCode: string;
  uziNumber: string;
  agb: string;
  big: string;
}

/**
 * The professionals of each organisation in the topology (GPs at a practice, pharmacists at a pharmacy),
 * with synthetic UZI numbers (9 digits, 9xxxxxxxx), AGB codes (8 digits: 01 for GPs, 02 for pharmacists)
 * and BIG numbers (11 digits). The organisations' own URAs come from the topology file.
 */
export function professionalsOf(topology: Topology, seed: number): Map<string, SyntheticProfessional[]> {
  const out = new Map<string, SyntheticProfessional[]>();
  topology.organisations.forEach((org, i) => {
    const f = new Faker({ locale: [nl, base] });
    f.seed([seed, 7_000 + i]);
    const role = org.service === 'pharmacy' ? '17.075' : org.service === 'seh' ? '01.071' : '01.015';
    const agbPrefix = org.service === 'pharmacy' ? '02' : '01';
    const count = org.service === 'gp' ? 3 : 2;
    const people: SyntheticProfessional[] = [];
    for (let n = 0; n < count; n++) {
      const initials = `${f.person.firstName().charAt(0)}.`;
      people.push({
        name: `${org.service === 'pharmacy' ? 'Apr.' : 'Dr.'} ${initials} ${f.person.lastName()}`,
        roleCode: role,
        uziNumber: `9${String(i).padStart(2, '0')}${f.string.numeric({ length: 6, allowLeadingZeros: true })}`,
        agb: `${agbPrefix}${f.string.numeric({ length: 6, allowLeadingZeros: true })}`,
        big: f.string.numeric({ length: 11, allowLeadingZeros: false }),
      });
    }
    out.set(org.id, people);
  });
  return out;
}
