import type { z } from 'zod';
import { Bsn, SourceMedicationQuery, SourceSummaryQuery, problem } from '@schakel/contracts';
import { SYSTEM, parseToken } from '../systems.js';

/**
 * The searches the switch point asks a FHIR source, in one place for both ends (the switch point builds
 * them, the source parses them back into the very query the JSON and HL7v3 legs take):
 *
 *   GET [base]/MedicationDispense?patient.identifier=http://fhir.nl/fhir/NamingSystem/bsn|<bsn>
 *       &_include=MedicationDispense:medication&_revinclude=AllergyIntolerance:patient&_revinclude=Flag:patient
 *       [&whenhandedover=ge<from>][&whenhandedover=le<to>][&latest-per-product=true]
 *   GET [base]/Patient/$summary?identifier=http://fhir.nl/fhir/NamingSystem/bsn|<bsn>
 *
 * On whose behalf the switch point asks (the requesting organisation and professional it checked) travels
 * in one header beside the AORTA-ID, as the JSON leg carries it in its body and the HL7v3 leg in its
 * ControlActProcess: base64url of the requester's JSON.
 */
export const REQUESTER_HEADER = 'schakel-requester';

const MedicationRequester = SourceMedicationQuery.shape.requester;
const SummaryRequester = SourceSummaryQuery.shape.requester;
type Requester = z.infer<typeof SummaryRequester>;

export const encodeRequester = (r: Requester): string => Buffer.from(JSON.stringify(r), 'utf8').toString('base64url');

function decodeRequester<T>(header: string | string[] | undefined, schema: z.ZodType<T>): T {
  const text = typeof header === 'string' ? Buffer.from(header, 'base64url').toString('utf8') : undefined;
  let json: unknown;
  try {
    json = text === undefined ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw problem(
      'VALIDATION_ERROR',
      `The ${REQUESTER_HEADER} header must name the requester the switch point checked`,
      {
        field: REQUESTER_HEADER,
      },
    );
  return parsed.data;
}

type Params = Record<string, string | string[] | undefined>;
const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The BSN of a token search parameter, as the NVI search reads one: `[<nl-core BSN system>|]<BSN>`, once. */
function bsnOfToken(params: Params, name: string): string {
  const [token, ...more] = all(params[name]);
  const { system, value } = parseToken(token ?? '');
  if (token === undefined || more.length > 0 || (system !== undefined && system !== SYSTEM.bsn))
    throw problem('VALIDATION_ERROR', `Search by ${name}=${SYSTEM.bsn}|<BSN>, once`, { field: name });
  const bsn = Bsn.safeParse(value);
  if (!bsn.success)
    throw problem('INVALID_BSN', `${name}: not a BSN (9 digits passing the 11-proef)`, {
      field: name,
      expected: '9 digits passing the 11-proef',
    });
  return bsn.data;
}

const token = (bsn: string) => `${SYSTEM.bsn}|${bsn}`;
export const MEDICATION_INCLUDES = {
  _include: ['MedicationDispense:medication'],
  _revinclude: ['AllergyIntolerance:patient', 'Flag:patient'],
};

/** The medication query as a search: the path below the FHIR base, with its query string. */
export function medicationSearch(q: SourceMedicationQuery): { path: string; requester: string } {
  const s = new URLSearchParams({ 'patient.identifier': token(q.bsn) });
  for (const v of MEDICATION_INCLUDES._include) s.append('_include', v);
  for (const v of MEDICATION_INCLUDES._revinclude) s.append('_revinclude', v);
  if (q.from !== undefined) s.append('whenhandedover', `ge${q.from}`);
  if (q.to !== undefined) s.append('whenhandedover', `le${q.to}`);
  if (q.latestPerProduct === true) s.append('latest-per-product', 'true');
  return { path: `MedicationDispense?${s.toString()}`, requester: encodeRequester(q.requester) };
}

/** What the search itself says (the switch point's /fhir reads it too): patient, period, includes. */
export function medicationSearchOf(params: Params): {
  bsn: string;
  from?: string;
  to?: string;
  latestPerProduct?: true;
  includes: { medication: boolean; intolerances: boolean };
} {
  const bsn = bsnOfToken(params, 'patient.identifier');
  const range: { from?: string; to?: string } = {};
  for (const v of all(params.whenhandedover)) {
    const m = /^(ge|le)(\d{4}-\d{2}-\d{2})$/.exec(v);
    if (m === null)
      throw problem('VALIDATION_ERROR', 'whenhandedover takes ge<date> and le<date>', { field: 'whenhandedover' });
    if (m[1] === 'ge') range.from = m[2];
    else range.to = m[2];
  }
  const revinclude = all(params._revinclude);
  return {
    bsn,
    ...range,
    ...(all(params['latest-per-product']).includes('true') ? { latestPerProduct: true as const } : {}),
    includes: {
      medication: all(params._include).includes('MedicationDispense:medication'),
      intolerances: revinclude.includes('AllergyIntolerance:patient') || revinclude.includes('Flag:patient'),
    },
  };
}

/** What a pharmacy's FHIR leg reads from the search and the requester header: the query the other legs take. */
export function medicationQueryOf(
  params: Params,
  requesterHeader: string | string[] | undefined,
): { query: SourceMedicationQuery; includes: { medication: boolean; intolerances: boolean } } {
  const { includes, ...search } = medicationSearchOf(params);
  const query = SourceMedicationQuery.safeParse({
    ...search,
    requester: decodeRequester(requesterHeader, MedicationRequester),
  });
  if (!query.success) throw problem('VALIDATION_ERROR', query.error.issues[0]?.message ?? 'not a medication query');
  return { query: query.data, includes };
}

/** The summary query as the Patient/$summary operation (as the International Patient Summary names it). */
export function summarySearch(q: SourceSummaryQuery): { path: string; requester: string } {
  return {
    path: `Patient/$summary?${new URLSearchParams({ identifier: token(q.bsn) }).toString()}`,
    requester: encodeRequester(q.requester),
  };
}

export function summaryQueryOf(params: Params, requesterHeader: string | string[] | undefined): SourceSummaryQuery {
  return { bsn: bsnOfToken(params, 'identifier'), requester: decodeRequester(requesterHeader, SummaryRequester) };
}
