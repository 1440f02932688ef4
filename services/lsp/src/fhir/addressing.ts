import { z } from 'zod';
import { DATA_CATEGORIES, notFound, type SystemEntry } from '@schakel/contracts';
import { SCHAKEL_SYSTEM, SYSTEM, parseToken, searchset, type Endpoint, type Organization } from '@schakel/fhir';
import type { FhirModule } from './module.js';

/** What each wire's messages are, for Endpoint.payloadMimeType. */
const MIME: Record<string, string> = {
  json: 'application/json',
  hl7v3: 'application/soap+xml',
  fhir: 'application/fhir+json',
};
const WIRE_NAME: Record<string, string> = {
  json: 'Schakel JSON API',
  hl7v3: 'AORTA: HL7v3 in SOAP 1.2',
  fhir: 'FHIR R4',
};

/** One Organization per URA in the address book, with an Endpoint reference per reachable system. */
export function toOrganization(ura: string, systems: SystemEntry[]): Organization {
  const first = systems[0];
  return {
    resourceType: 'Organization',
    id: ura,
    identifier: [{ system: SYSTEM.ura, value: ura }],
    active: true,
    ...(first !== undefined
      ? {
          name: first.organisationName,
          type: [{ coding: [{ system: SYSTEM.organisationType, code: first.organisationType }] }],
        }
      : {}),
    endpoint: systems.filter((s) => s.baseUrl !== null).map((s) => ({ reference: `Endpoint/${s.applicationId}` })),
  };
}

/** A system that can be called (it has a base URL): where, on which wire, for which data categories. */
export function toEndpoint(s: SystemEntry & { baseUrl: string }): Endpoint {
  return {
    resourceType: 'Endpoint',
    id: s.applicationId,
    identifier: [{ system: SYSTEM.applicationId, value: s.applicationId }],
    status: 'active',
    connectionType: { system: SCHAKEL_SYSTEM.wire, code: s.wire, display: WIRE_NAME[s.wire] ?? s.wire },
    name: `${s.organisationName} (${s.applicationId})`,
    managingOrganization: {
      reference: `Organization/${s.ura}`,
      identifier: { system: SYSTEM.ura, value: s.ura },
      display: s.organisationName,
    },
    // What the system answers for as a source; a system that answers for nothing still takes deliveries.
    payloadType:
      s.provides.length > 0
        ? s.provides.map((c) => ({
            coding: [{ system: SYSTEM.dataCategory, code: c, display: DATA_CATEGORIES[c] }],
          }))
        : [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type', code: 'none' }] }],
    payloadMimeType: [MIME[s.wire] ?? 'application/json'],
    address: s.baseUrl,
  };
}

/** A token search parameter matches an identifier or coding when its system (if given) and value match. */
const tokenMatches = (
  token: string | undefined,
  pairs: { system?: string | undefined; code?: string | undefined }[],
) => {
  if (token === undefined) return true;
  const { system, value } = parseToken(token);
  return pairs.some((p) => (system === undefined || p.system === system) && p.code === value);
};

const OrganizationQuery = z
  .object({
    _id: z.string().optional(),
    identifier: z.string().optional().describe(`${SYSTEM.ura}|<URA>`),
    name: z.string().optional().describe('the start of the name, in any case (FHIR string search)'),
    type: z.string().optional().describe(`${SYSTEM.organisationType}|<code>`),
    _format: z.string().optional(),
  })
  .strict();
const EndpointQuery = z
  .object({
    _id: z.string().optional(),
    identifier: z.string().optional().describe(`${SYSTEM.applicationId}|<application id>`),
    organization: z.string().optional().describe('Organization/<URA>'),
    'connection-type': z.string().optional().describe(`${SCHAKEL_SYSTEM.wire}|json, hl7v3 or fhir`),
    _format: z.string().optional(),
  })
  .strict();
const Id = z.object({ id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) });

/**
 * Addressing (issue #17, point 4): the address book as mCSD Organization and Endpoint resources, for any
 * connected system (no patient is named, so no assertion), as GET /address-book/systems is. One
 * Organization per URA; one Endpoint per system with a base URL, whose connectionType says the wire it
 * speaks (https://schakel.dev/fhir/CodeSystem/wire: json, hl7v3, fhir).
 */
export const addressing: FhirModule = {
  name: 'addressing (mCSD)',
  capability: {
    resource: [
      {
        type: 'Organization',
        documentation: 'The address book by organisation (URA), as mCSD: one Organization per URA.',
        interaction: [{ code: 'read' }, { code: 'search-type' }],
        searchParam: [
          { name: '_id', type: 'token' },
          { name: 'identifier', type: 'token', documentation: `${SYSTEM.ura}|<URA>` },
          { name: 'name', type: 'string' },
          { name: 'type', type: 'token', documentation: `${SYSTEM.organisationType}|<code>` },
        ],
      },
      {
        type: 'Endpoint',
        documentation:
          'Each connected system with a base URL; connectionType (https://schakel.dev/fhir/CodeSystem/wire) says the wire it speaks: json, hl7v3 or fhir.',
        interaction: [{ code: 'read' }, { code: 'search-type' }],
        searchParam: [
          { name: '_id', type: 'token' },
          { name: 'identifier', type: 'token', documentation: `${SYSTEM.applicationId}|<application id>` },
          { name: 'organization', type: 'reference', documentation: 'Organization/<URA>' },
          { name: 'connection-type', type: 'token', documentation: `${SCHAKEL_SYSTEM.wire}|<wire>` },
        ],
      },
    ],
  },
  routes(scope, deps) {
    const { book } = deps.pipeline;
    const organisations = async () => {
      const byUra = new Map<string, SystemEntry[]>();
      for (const s of await book.list()) byUra.set(s.ura, [...(byUra.get(s.ura) ?? []), s]);
      return [...byUra].map(([ura, systems]) => toOrganization(ura, systems));
    };
    const endpoints = async () =>
      (await book.list()).flatMap((s) => (s.baseUrl !== null ? [toEndpoint({ ...s, baseUrl: s.baseUrl })] : []));
    const base = (host: string | undefined) => `https://${host ?? '127.0.0.1'}/fhir`;

    scope.get(
      '/Organization',
      { config: { interaction: 'mCSD Organization search' }, schema: { hide: true, querystring: OrganizationQuery } },
      async (request) => {
        const q = request.query;
        const name = q.name?.toLowerCase();
        const matches = (await organisations()).filter(
          (o) =>
            (q._id === undefined || o.id === q._id) &&
            tokenMatches(
              q.identifier,
              (o.identifier ?? []).map((i) => ({ system: i.system, code: i.value })),
            ) &&
            (name === undefined || (o.name ?? '').toLowerCase().startsWith(name)) &&
            tokenMatches(q.type, o.type?.flatMap((t) => t.coding ?? []) ?? []),
        );
        return searchset(base(request.headers.host), matches);
      },
    );
    scope.get(
      '/Organization/:id',
      { config: { interaction: 'mCSD Organization read' }, schema: { hide: true, params: Id } },
      async (request) => {
        const found = (await organisations()).find((o) => o.id === request.params.id);
        if (found === undefined) throw notFound(`Organization/${request.params.id}`);
        return found;
      },
    );
    scope.get(
      '/Endpoint',
      { config: { interaction: 'mCSD Endpoint search' }, schema: { hide: true, querystring: EndpointQuery } },
      async (request) => {
        const q = request.query;
        const matches = (await endpoints()).filter(
          (e) =>
            (q._id === undefined || e.id === q._id) &&
            tokenMatches(
              q.identifier,
              (e.identifier ?? []).map((i) => ({ system: i.system, code: i.value })),
            ) &&
            (q.organization === undefined ||
              e.managingOrganization?.reference === q.organization ||
              e.managingOrganization?.reference === `Organization/${q.organization}`) &&
            tokenMatches(q['connection-type'], [e.connectionType]),
        );
        return searchset(base(request.headers.host), matches);
      },
    );
    scope.get(
      '/Endpoint/:id',
      { config: { interaction: 'mCSD Endpoint read' }, schema: { hide: true, params: Id } },
      async (request) => {
        const found = (await endpoints()).find((e) => e.id === request.params.id);
        if (found === undefined) throw notFound(`Endpoint/${request.params.id}`);
        return found;
      },
    );
  },
};
