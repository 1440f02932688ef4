import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DataCategory, OrganisationType, UziRoleCode, roleName, type Decision } from '@schakel/contracts';

/**
 * The authorisation protocol (autorisatieprotocol) as data: rows of (UZI role, requesting organisation
 * type, data category, situation) -> allow / deny. The real matrix is unverified (docs/domain.md section 5),
 * so it lives in a file users can replace (PROTOCOL_FILE). Deny rows are checked first; no row means deny.
 */
export const Situation = z
  .enum(['regular', 'acute'])
  .meta({ id: 'Situation', description: 'regular (planned) care, or acute care under the acute-care rules' });
export type Situation = z.infer<typeof Situation>;

const star = <T extends z.ZodType>(t: T) => z.union([t, z.literal('*')]);
export const ProtocolRow = z
  .object({
    id: z.string().min(1),
    effect: z.enum(['allow', 'deny']),
    roles: z.array(UziRoleCode).min(1),
    organisationTypes: z.array(star(OrganisationType)).min(1),
    categories: z.array(star(DataCategory)).min(1),
    situations: z.array(star(Situation)).min(1),
    description: z.string().min(1),
  })
  .strict();
export type ProtocolRow = z.infer<typeof ProtocolRow>;
export const ProtocolFile = z.object({ $comment: z.string().optional(), rows: z.array(ProtocolRow).min(1) }).strict();

export const DEFAULT_PROTOCOL_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../protocol/default.json');

export function loadProtocol(file = DEFAULT_PROTOCOL_FILE): ProtocolRow[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the authorisation protocol ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ProtocolFile.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `The authorisation protocol ${file} is not valid:\n${parsed.error.issues.map((i) => `  - rows.${i.path.slice(1).join('.')}: ${i.message}`).join('\n')}`,
    );
  const ids = new Set<string>();
  for (const row of parsed.data.rows) {
    if (ids.has(row.id)) throw new Error(`The authorisation protocol ${file} uses row id ${row.id} twice`);
    ids.add(row.id);
  }
  return parsed.data.rows;
}

export interface ProtocolRequest {
  roleCode: string;
  organisationType: string;
  category: DataCategory;
  situation: Situation;
}

const has = (list: readonly string[], value: string) => list.includes('*') || list.includes(value);
const matches = (row: ProtocolRow, r: ProtocolRequest) =>
  row.roles.includes(r.roleCode) &&
  has(row.organisationTypes, r.organisationType) &&
  has(row.categories, r.category) &&
  has(row.situations, r.situation);

export function authorise(rows: readonly ProtocolRow[], r: ProtocolRequest): Decision & { permitted: boolean } {
  const who = `a ${roleName(r.roleCode)} (${r.roleCode}) at organisation type ${r.organisationType}`;
  const deny = rows.find((row) => row.effect === 'deny' && matches(row, r));
  if (deny !== undefined) {
    return {
      permitted: false,
      code: 'PROTOCOL_DENY',
      rule: `${deny.id}: ${deny.description}`,
      explanation: `Refused: ${who} may not see ${r.category}; ${deny.description}.`,
    };
  }
  const allow = rows.find((row) => row.effect === 'allow' && matches(row, r));
  if (allow !== undefined)
    return {
      permitted: true,
      code: 'PROTOCOL_ALLOW',
      rule: `${allow.id}: ${allow.description}`,
      explanation: `Allowed: ${allow.description}.`,
    };
  return {
    permitted: false,
    code: 'PROTOCOL_NO_ROW',
    rule: 'AP-DEFAULT: what no row allows is refused',
    explanation: `Refused: no row of the authorisation protocol lets ${who} see ${r.category} in ${r.situation} care.`,
  };
}
