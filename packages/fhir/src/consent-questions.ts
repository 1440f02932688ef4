import {
  Bsn,
  DataCategory,
  OrganisationType,
  Ura,
  UziRoleCode,
  problem,
  type Decision,
  type ErrorCode,
} from '@schakel/contracts';
import { CONSENT_SYSTEMS as S, type ParametersParameter, type ParametersResource } from './consent-systems.js';
import { bsnIdentifier, uraIdentifier } from './consent.js';

/**
 * The closed and open questions of the consent model as FHIR operations on Consent
 * (`$closed-question`, `$open-question`): Parameters in, Parameters out, the same answers and the same
 * decisions (rule, consent record, explanation) as the classic routes (docs/fhir.md).
 */
export type Situation = 'regular' | 'acute';

export interface ClosedQuestionInput {
  bsn: string;
  roleCode: string;
  organisationType: OrganisationType;
  holderUra: string;
  categories: DataCategory[];
  situation: Situation;
}
export interface OpenQuestionInput {
  bsn: string;
  category: DataCategory;
  situation: Situation;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const fieldOf = (name: string) => `body.parameter[${name}]`;

/** The parameters of a Parameters body by name; anything else than a Parameters is refused. */
function parametersOf(body: unknown, known: string[]): Map<string, Record<string, unknown>[]> {
  if (!isObject(body) || body['resourceType'] !== 'Parameters')
    throw problem('INVALID_VALUE', 'The body is not a Parameters resource', {
      field: 'body.resourceType',
      expected: 'Parameters',
    });
  const out = new Map<string, Record<string, unknown>[]>();
  const list = Array.isArray(body['parameter']) ? (body['parameter'] as unknown[]) : [];
  for (const p of list) {
    const name = isObject(p) && typeof p['name'] === 'string' ? p['name'] : '';
    if (!known.includes(name))
      throw problem('UNKNOWN_FIELD', `Parameter "${name}" is not known here`, {
        field: fieldOf(name),
        expected: `one of ${known.join(', ')}`,
      });
    out.set(name, [...(out.get(name) ?? []), p as Record<string, unknown>]);
  }
  return out;
}

function one(params: Map<string, Record<string, unknown>[]>, name: string, expected: string) {
  const list = params.get(name) ?? [];
  if (list.length !== 1)
    throw problem(list.length === 0 ? 'MISSING_FIELD' : 'INVALID_VALUE', `Give parameter "${name}" exactly once`, {
      field: fieldOf(name),
      expected,
    });
  return list[0] as Record<string, unknown>;
}

/** value[x] of a parameter as an identifier or coding in one system, checked by the contracts' schema. */
function valueIn(
  p: Record<string, unknown>,
  name: string,
  kind: 'valueIdentifier' | 'valueCoding',
  system: string,
  check: { safeParse: (v: unknown) => { success: boolean } },
  code: ErrorCode,
  expected: string,
): string {
  const v = p[kind];
  const value = isObject(v) ? v[kind === 'valueIdentifier' ? 'value' : 'code'] : undefined;
  if (!isObject(v) || v['system'] !== system)
    throw problem('INVALID_VALUE', `Parameter "${name}" must be ${kind} in ${system}`, {
      field: fieldOf(name),
      expected: `${kind} with system ${system}`,
    });
  if (!check.safeParse(value).success)
    throw problem(code, `Parameter "${name}" is not valid`, { field: fieldOf(name), expected });
  return value as string;
}

function situationOf(params: Map<string, Record<string, unknown>[]>): Situation {
  const list = params.get('situation') ?? [];
  if (list.length === 0) return 'regular';
  const v = list.length === 1 ? list[0]?.['valueCode'] : undefined;
  if (v !== 'regular' && v !== 'acute')
    throw problem('INVALID_VALUE', 'Parameter "situation" is regular or acute, once', {
      field: fieldOf('situation'),
      expected: 'valueCode regular or acute',
    });
  return v;
}

const patientOf = (params: Map<string, Record<string, unknown>[]>) =>
  valueIn(
    one(params, 'patient', `valueIdentifier with system ${S.bsn}`),
    'patient',
    'valueIdentifier',
    S.bsn,
    Bsn,
    'INVALID_BSN',
    '9 digits passing the 11-proef',
  );
const categoryOf = (p: Record<string, unknown>) =>
  valueIn(
    p,
    'category',
    'valueCoding',
    S.dataCategory,
    DataCategory,
    'INVALID_VALUE',
    'a data category of the AORTA list',
  ) as DataCategory;

/** Parameters in of $closed-question: patient, role, organizationType, holder, category (1..20), situation. */
export function readClosedQuestion(body: unknown): ClosedQuestionInput {
  const params = parametersOf(body, ['patient', 'role', 'organizationType', 'holder', 'category', 'situation']);
  const categories = (params.get('category') ?? []).map(categoryOf);
  if (categories.length === 0 || categories.length > 20)
    throw problem(categories.length === 0 ? 'MISSING_FIELD' : 'INVALID_VALUE', 'Ask about 1 to 20 categories', {
      field: fieldOf('category'),
      expected: `1 to 20 valueCoding in ${S.dataCategory}`,
    });
  return {
    bsn: patientOf(params),
    roleCode: valueIn(
      one(params, 'role', `valueCoding in ${S.uziRole}`),
      'role',
      'valueCoding',
      S.uziRole,
      UziRoleCode,
      'INVALID_ROLE_CODE',
      'a UZI role code',
    ),
    organisationType: valueIn(
      one(params, 'organizationType', `valueCoding in ${S.organisationType}`),
      'organizationType',
      'valueCoding',
      S.organisationType,
      OrganisationType,
      'INVALID_VALUE',
      'an organisation type code',
    ) as OrganisationType,
    holderUra: valueIn(
      one(params, 'holder', `valueIdentifier with system ${S.ura}`),
      'holder',
      'valueIdentifier',
      S.ura,
      Ura,
      'INVALID_URA',
      '8 digits (URA, UZI register)',
    ),
    categories,
    situation: situationOf(params),
  };
}

/** Parameters in of $open-question: patient, category, situation. */
export function readOpenQuestion(body: unknown): OpenQuestionInput {
  const params = parametersOf(body, ['patient', 'category', 'situation']);
  return {
    bsn: patientOf(params),
    category: categoryOf(one(params, 'category', `valueCoding in ${S.dataCategory}`)),
    situation: situationOf(params),
  };
}

/** One answer: permit or deny, and why (the deciding rule, the consent record as a Consent reference). */
function decisionParts(permitted: boolean, d: Decision): ParametersParameter[] {
  return [
    { name: 'answer', valueCode: permitted ? 'permit' : 'deny' },
    { name: 'code', valueCode: d.code },
    { name: 'rule', valueString: d.rule },
    { name: 'explanation', valueString: d.explanation },
    ...(d.consentRecordId !== undefined
      ? [{ name: 'consent', valueReference: { reference: `Consent/${d.consentRecordId}` } }]
      : []),
  ];
}

/** Parameters out of $closed-question: patient, holder, and a `decision` per category asked. */
export function closedQuestionAnswer(a: {
  bsn: string;
  holderUra: string;
  answers: { category: DataCategory; permitted: boolean; decision: Decision }[];
}): ParametersResource {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: bsnIdentifier(a.bsn) },
      { name: 'holder', valueIdentifier: uraIdentifier(a.holderUra) },
      ...a.answers.map((x) => ({
        name: 'decision',
        part: [
          { name: 'category', valueCoding: { system: S.dataCategory, code: x.category } },
          ...decisionParts(x.permitted, x.decision),
        ],
      })),
    ],
  };
}

/** Parameters out of $open-question: patient, category, and a `holder` per registered holder. */
export function openQuestionAnswer(a: {
  bsn: string;
  category: DataCategory;
  holders: { ura: string; organisationName: string; applicationId: string; permitted: boolean; decision: Decision }[];
}): ParametersResource {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: bsnIdentifier(a.bsn) },
      { name: 'category', valueCoding: { system: S.dataCategory, code: a.category } },
      ...a.holders.map((h) => ({
        name: 'holder',
        part: [
          { name: 'organization', valueIdentifier: uraIdentifier(h.ura) },
          { name: 'name', valueString: h.organisationName },
          { name: 'system', valueIdentifier: { system: S.applicationId, value: h.applicationId } },
          ...decisionParts(h.permitted, h.decision),
        ],
      })),
    ],
  };
}
