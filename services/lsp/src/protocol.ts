import { roleName, type DataCategory, type Decision, type OrganisationType } from '@schakel/contracts';

/**
 * The authorisation protocol (autorisatieprotocol) as data: which professional role, at which kind of
 * organisation, may see which data category. The real matrix is unverified (domain.md section 5); these
 * default rows follow its known rows. Issue #4 makes the table loadable from a file and adds situations.
 * Deny rows are checked first; no matching row means deny.
 */
export interface ProtocolRow {
  id: string;
  effect: 'allow' | 'deny';
  category: DataCategory | '*';
  roles: string[];
  organisationTypes: (OrganisationType | '*')[];
  description: string;
}

export const DEFAULT_PROTOCOL: ProtocolRow[] = [
  {
    id: 'AP-DENY-1',
    effect: 'deny',
    category: '*',
    roles: ['01.008', '01.048'],
    organisationTypes: ['*'],
    description: 'occupational and insurance doctors never get data through the switch point',
  },
  {
    id: 'AP-MED-1',
    effect: 'allow',
    category: 'MEDVERSTREKKING',
    roles: ['17.000', '17.075', '17.060', '83.000'],
    organisationTypes: ['J8', 'V4', 'V5'],
    description: 'a (covering) pharmacist or pharmacy assistant checks medication safety',
  },
  {
    id: 'AP-MED-2',
    effect: 'allow',
    category: 'MEDVERSTREKKING',
    roles: ['01.015', '01.004'],
    organisationTypes: ['N6', 'Z3', 'K3'],
    description: 'a GP, including the covering GP at the after-hours post, sees medication',
  },
  {
    id: 'AP-MED-3',
    effect: 'allow',
    category: 'MEDVERSTREKKING',
    roles: ['01.071', '01.010', '01.016', '01.019', '01.026', '81.000'],
    organisationTypes: ['V4', 'V5'],
    description: 'an SEH doctor or co-treating specialist in a hospital sees medication',
  },
  {
    id: 'AP-MED-4',
    effect: 'allow',
    category: 'MEDVERSTREKKING',
    roles: ['80.000'],
    organisationTypes: ['A1'],
    description: 'ambulance care sees medication under the acute-care rules',
  },
];

const matches = (row: ProtocolRow, role: string, orgType: string, category: string) =>
  (row.category === '*' || row.category === category) && row.roles.includes(role) && (row.organisationTypes.includes('*') || row.organisationTypes.includes(orgType as OrganisationType));

export function authorise(
  rows: ProtocolRow[],
  request: { role: string; organisationType: string; category: DataCategory },
): Decision & { permitted: boolean } {
  const { role, organisationType, category } = request;
  const who = `a ${roleName(role)} (${role}) at organisation type ${organisationType}`;
  const deny = rows.find((r) => r.effect === 'deny' && matches(r, role, organisationType, category));
  if (deny !== undefined) {
    return { permitted: false, code: 'PROTOCOL_DENY', rule: `${deny.id}: ${deny.description}`, explanation: `Refused: ${who} may not see ${category}; ${deny.description}.` };
  }
  const allow = rows.find((r) => r.effect === 'allow' && matches(r, role, organisationType, category));
  if (allow !== undefined) {
    return { permitted: true, code: 'PROTOCOL_ALLOW', rule: `${allow.id}: ${allow.description}`, explanation: `Allowed: ${allow.description}.` };
  }
  return {
    permitted: false,
    code: 'PROTOCOL_NO_ROW',
    rule: 'AP-DEFAULT: what no row allows is refused',
    explanation: `Refused: no row of the authorisation protocol lets ${who} see ${category}.`,
  };
}
