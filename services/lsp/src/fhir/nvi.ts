import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Bsn, DATA_CATEGORIES, DataCategory, problem, type ErrorCode, type ProblemError } from '@schakel/contracts';
import type { ClientIdentity } from '@schakel/service-kit';
import {
  SYSTEM,
  decisionIssue,
  parseToken,
  searchset,
  type Bundle,
  type BundleEntry,
  type List,
  type OperationOutcomeIssue,
} from '@schakel/fhir';
import { allowSelfOrAdmin, caller } from '../auth.js';
import { Situation } from '../authorisation/protocol.js';
import { nviSearch, type NviFound } from '../interactions/nvi.js';
import { NviChangeRefused, type NviList } from '../nvi/store.js';
import type { FhirDeps, FhirModule, TransactionEntry } from './module.js';

/** Where a List names its holder: R4 List has no custodian element, so an extension of ours carries the URA. */
export const NVI_CUSTODIAN_EXTENSION = 'https://schakel.dev/fhir/StructureDefinition/nvi-custodian';

type Response = NonNullable<BundleEntry['response']>;
type Change = Parameters<FhirDeps['nvi']['store']['change']>[1][number];

/** The List a consumer gets: the patient by the BSN they asked with (never the NVI's pseudonym). */
export function toFhirList(list: NviList, bsn: string, holderName?: string): List {
  return {
    resourceType: 'List',
    id: list.id,
    meta: { lastUpdated: list.registeredAt },
    extension: [
      {
        url: NVI_CUSTODIAN_EXTENSION,
        valueReference: {
          type: 'Organization',
          identifier: { system: SYSTEM.ura, value: list.custodianUra },
          ...(holderName !== undefined ? { display: holderName } : {}),
        },
      },
    ],
    status: 'current',
    mode: 'working',
    title: `${DATA_CATEGORIES[list.category]} held by ${holderName ?? `URA ${list.custodianUra}`}`,
    code: { coding: [{ system: SYSTEM.dataCategory, code: list.category, display: DATA_CATEGORIES[list.category] }] },
    subject: { type: 'Patient', identifier: { system: SYSTEM.bsn, value: bsn } },
    date: list.registeredAt,
    source: { type: 'Device', identifier: { system: SYSTEM.applicationId, value: list.applicationId } },
    emptyReason: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'withheld' }],
      text: 'The NVI says where data is; the data stays at the holder.',
    },
  };
}

const invalid = (code: ErrorCode, field: string, detail: string, expected: string): ProblemError =>
  problem(code, detail, { field, expected });

/** A patient token `http://fhir.nl/fhir/NamingSystem/bsn|<BSN>` (the system may be left out). */
function bsnOf(token: string | undefined, field: string): string {
  const { system, value } = parseToken(token ?? '');
  if (token === undefined || (system !== undefined && system !== SYSTEM.bsn))
    throw invalid('VALIDATION_ERROR', field, `${field} must be a BSN identifier`, `${SYSTEM.bsn}|<BSN>`);
  if (!Bsn.safeParse(value).success)
    throw invalid('INVALID_BSN', field, `${field}: ${value} is not a valid BSN`, '9 digits passing the 11-proef');
  return value;
}

/** A data category token `urn:oid:2.16.840.1.113883.2.4.3.111.15.3|<CODE>` (the system may be left out). */
function categoryOf(token: string | undefined, field: string): DataCategory | undefined {
  if (token === undefined) return undefined;
  const { system, value } = parseToken(token);
  const parsed = DataCategory.safeParse(value);
  if ((system !== undefined && system !== SYSTEM.dataCategory) || !parsed.success)
    throw invalid('INVALID_VALUE', field, `${field} must be an AORTA data category`, `${SYSTEM.dataCategory}|<CODE>`);
  return parsed.data;
}

/** A holder's List to register: checked as the classic registration is, and its patient pseudonymised. */
/** The elements of a registered List the NVI reads, shaped as R4 defines them; the rest passes through unread. */
const Identifier = z.object({ system: z.string().optional(), value: z.string().optional() }).loose();
const RegisteredList = z
  .object({
    status: z.string().optional(),
    subject: z.object({ identifier: Identifier.optional() }).loose().optional(),
    code: z
      .object({
        coding: z.array(z.object({ system: z.string().optional(), code: z.string().optional() }).loose()).optional(),
      })
      .loose()
      .optional(),
    extension: z
      .array(
        z
          .object({
            url: z.string(),
            valueReference: z.object({ identifier: Identifier.optional() }).loose().optional(),
          })
          .loose(),
      )
      .optional(),
    source: z.object({ identifier: Identifier.optional() }).loose().optional(),
  })
  .loose();

async function registrationOf(
  deps: FhirDeps,
  client: ClientIdentity,
  resource: Record<string, unknown>,
  at: string,
): Promise<Change> {
  const parsed = RegisteredList.safeParse(resource);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      'VALIDATION_ERROR',
      [at, ...(issue?.path ?? [])].join('.'),
      `The List is not as R4 defines it: ${issue?.message ?? 'invalid'}`,
      'a List with status, subject, code.coding[], extension[] and source as R4 defines them',
    );
  }
  const list = parsed.data;
  if (list.status !== 'current')
    throw invalid('INVALID_VALUE', `${at}.status`, 'A List registered in the NVI is current', 'current');
  const bsn = bsnOf(
    list.subject?.identifier !== undefined
      ? `${list.subject.identifier.system ?? ''}|${list.subject.identifier.value ?? ''}`
      : undefined,
    `${at}.subject.identifier`,
  );
  const coding = list.code?.coding?.find((c) => c.system === SYSTEM.dataCategory);
  const category = categoryOf(`${SYSTEM.dataCategory}|${coding?.code ?? ''}`, `${at}.code`);
  if (category === undefined) throw new Error('unreachable: a token was given');
  const custodian = list.extension?.find((e) => e.url === NVI_CUSTODIAN_EXTENSION)?.valueReference?.identifier;
  if (custodian?.system !== SYSTEM.ura || custodian.value === undefined)
    throw invalid(
      'VALIDATION_ERROR',
      `${at}.extension`,
      'The List names its holder (custodian URA)',
      `${NVI_CUSTODIAN_EXTENSION} with a URA identifier`,
    );
  const source = list.source?.identifier;
  if (source?.system !== SYSTEM.applicationId || source.value === undefined)
    throw invalid(
      'VALIDATION_ERROR',
      `${at}.source.identifier`,
      'The List names its source system',
      `${SYSTEM.applicationId}|<application id>`,
    );
  // A holder registers its own data only (or the operator does for it), and must be in the address book.
  allowSelfOrAdmin(client, { applicationId: source.value, ura: custodian.value });
  const system = await deps.pipeline.book.get(source.value);
  if (system === undefined)
    throw problem('UNKNOWN_SYSTEM', `System ${source.value} is not in the address book; enter it there first`, {
      field: `${at}.source.identifier`,
    });
  if (system.ura !== custodian.value)
    throw problem('CLIENT_NOT_ALLOWED', `System ${source.value} belongs to URA ${system.ura}, not ${custodian.value}`, {
      field: `${at}.extension`,
    });
  return {
    kind: 'create',
    list: {
      pseudonym: deps.nvi.pseudonymFor(bsn, deps.nvi.nviUra),
      category,
      custodianUra: custodian.value,
      applicationId: source.value,
    },
  };
}

/** A deregistration: `List/<id>`, or `List?patient:identifier=…[&code=…]` for the holder's own Lists. */
function deletionOf(deps: FhirDeps, url: string, at: string): Change {
  const [path = '', search] = url.split('?');
  const id = /^List\/([A-Za-z0-9\-.]{1,64})$/.exec(path)?.[1];
  if (id !== undefined && search === undefined) return { kind: 'delete', id };
  if (path === 'List' && search !== undefined) {
    const params = new URLSearchParams(search);
    const bsn = bsnOf(params.get('patient:identifier') ?? undefined, `${at}.patient:identifier`);
    return {
      kind: 'delete-matching',
      pseudonym: deps.nvi.pseudonymFor(bsn, deps.nvi.nviUra),
      category: categoryOf(params.get('code') ?? undefined, `${at}.code`),
    };
  }
  throw invalid('VALIDATION_ERROR', at, 'A deregistration names List/<id> or List?patient:identifier=…', 'List/<id>');
}

/** Registrations and deregistrations, all or none (the store's one transaction); no updates. */
async function applyChanges(
  entries: TransactionEntry[],
  ctx: { client: ClientIdentity; request: FastifyRequest; deps: FhirDeps },
): Promise<Response[]> {
  const { deps, client } = ctx;
  const changes: Change[] = [];
  for (const { index, entry } of entries) {
    const at = `body.entry[${index}]`;
    const method = entry.request.method;
    if (method === 'POST' && entry.resource !== undefined)
      changes.push(await registrationOf(deps, client, entry.resource, `${at}.resource`));
    else if (method === 'DELETE') changes.push(deletionOf(deps, entry.request.url, `${at}.request.url`));
    else
      throw problem('NOT_SUPPORTED', `The NVI takes creates (POST) and deletes (DELETE), not ${method}`, {
        field: `${at}.request.method`,
        expected: 'POST with a List, or DELETE',
      });
  }
  let results: Awaited<ReturnType<FhirDeps['nvi']['store']['change']>>;
  try {
    results = await deps.nvi.store.change(client.applicationId, changes);
  } catch (err) {
    if (!(err instanceof NviChangeRefused)) throw err;
    const field = `body.entry[${entries[err.index]?.index ?? err.index}].request.url`;
    throw err.reason === 'not-found'
      ? problem('NOT_FOUND', 'The List to deregister is not in the NVI', { field })
      : problem('CLIENT_NOT_ALLOWED', 'A holder deregisters its own Lists only', { field });
  }
  // Logged by category and system, never the patient (docs/security.md).
  ctx.request.log.info(
    {
      interaction: 'NVI transaction',
      created: results.filter((r) => r.kind === 'created').length,
      deleted: results.reduce((n, r) => n + (r.kind === 'deleted' ? r.count : 0), 0),
    },
    'NVI changed',
  );
  return results.map((r): Response =>
    r.kind === 'deleted'
      ? { status: '204 No Content' }
      : {
          status: r.kind === 'created' ? '201 Created' : '200 OK',
          location: `List/${r.list.id}`,
          lastModified: r.list.registeredAt,
        },
  );
}

/** Each decision, as the access log has it, beside the answer: which holder, which rule, which record. */
function outcomeIssues(found: NviFound[]): OperationOutcomeIssue[] {
  if (found.length === 0)
    return [
      {
        severity: 'information',
        code: 'informational',
        details: { text: 'No List is registered for this patient in the categories you may see.' },
      },
    ];
  let match = 0;
  return found.map((f) => {
    const issue = decisionIssue(f.decision);
    return {
      ...issue,
      details: {
        ...issue.details,
        text: `${f.holder.organisationName}, ${f.list.category}: ${f.permitted ? 'shared' : 'withheld'}. ${f.decision.explanation}`,
      },
      ...(f.permitted ? { expression: [`Bundle.entry[${match++}].resource`] } : {}),
    };
  });
}

const SearchQuery = z
  .object({
    'patient:identifier': z.string().describe(`${SYSTEM.bsn}|<BSN>`),
    code: z.string().optional().describe(`${SYSTEM.dataCategory}|<CODE>`),
    situation: Situation.default('regular'),
    _format: z.string().optional(),
  })
  .strict();

export const localisation: FhirModule = {
  name: 'NVI localisation',
  capability: {
    resource: [
      {
        type: 'List',
        documentation:
          'The NVI: one List per (holder, patient, data category). Holders create and delete (a transaction Bundle at POST /fhir, or POST /List and DELETE /List/{id}); no updates. A search is a localisation (QUMT_IN020010): it needs the professional’s signed assertion for QUMT_IN020010 and this BSN, and answers only what the protocol and the consent rules allow, with each decision in an OperationOutcome entry.',
        interaction: [{ code: 'create' }, { code: 'delete' }, { code: 'search-type' }],
        searchParam: [
          { name: 'patient', type: 'reference', documentation: `as patient:identifier=${SYSTEM.bsn}|<BSN> (required)` },
          { name: 'code', type: 'token', documentation: `the data category, ${SYSTEM.dataCategory}|<CODE>` },
          {
            name: 'situation',
            type: 'token',
            documentation: 'regular (default) or acute, as in the authorisation protocol',
          },
        ],
      },
    ],
  },
  transaction: { resourceType: 'List', apply: applyChanges },
  routes(scope, deps) {
    const search = nviSearch(deps.nvi);
    scope.get(
      '/List',
      { config: { interaction: 'QUMT_IN020010' }, schema: { hide: true, querystring: SearchQuery } },
      async (request): Promise<Bundle> => {
        const q = request.query;
        const bsn = bsnOf(q['patient:identifier'], 'query.patient:identifier');
        const category = categoryOf(q.code, 'query.code');
        const { found } = await deps.run(search, { bsn, category, situation: q.situation }, deps.signed(request));
        const shared = found.filter((f) => f.permitted);
        return searchset(
          `https://${request.headers.host ?? '127.0.0.1'}/fhir`,
          shared.map((f) => toFhirList(f.list, bsn, f.holder.organisationName)),
          { outcome: { resourceType: 'OperationOutcome', issue: outcomeIssues(found) } },
        );
      },
    );
    // The single-resource forms of the same changes, for clients that do not send transactions.
    scope.post(
      '/List',
      {
        config: { interaction: 'NVI register' },
        schema: { hide: true, body: z.looseObject({ resourceType: z.literal('List') }) },
      },
      async (request, reply) => {
        const [r] = await applyChanges(
          [
            {
              index: 0,
              resourceType: 'List',
              entry: { resource: request.body, request: { method: 'POST', url: 'List' } },
            },
          ],
          { client: caller(request), request, deps },
        );
        if (r?.location !== undefined) reply.header('location', r.location);
        // The List as registered: what the holder sent, with the id and time the NVI gave it.
        const id = r?.location?.slice('List/'.length);
        return reply
          .status(r?.status.startsWith('201') === true ? 201 : 200)
          .send({ ...request.body, id, meta: { lastUpdated: r?.lastModified } });
      },
    );
    scope.delete(
      '/List/:id',
      {
        config: { interaction: 'NVI deregister' },
        schema: { hide: true, params: z.object({ id: z.string().max(64) }) },
      },
      async (request, reply) => {
        await applyChanges(
          [
            {
              index: 0,
              resourceType: 'List',
              entry: { request: { method: 'DELETE', url: `List/${request.params.id}` } },
            },
          ],
          { client: caller(request), request, deps },
        );
        return reply.status(204).send();
      },
    );
  },
};
