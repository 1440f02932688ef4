import { z } from 'zod';
import { SYSTEM } from '../systems.js';
import type { ExtractResource, Patient, ResourceType } from '@medplum/fhirtypes';
import type { Bundle, BundleEntry, Identifier, Reference, Resource } from '../types.js';

/** A logical reference to the patient by BSN (nl-core: the BSN identifier, no Patient resource needed). */
export const patientByBsn = (bsn: string): Reference<Patient> => ({
  type: 'Patient',
  identifier: { system: SYSTEM.bsn, value: bsn },
});

/** A logical reference by one identifier, with its display. */
export const byIdentifier = <T extends ResourceType>(
  type: T,
  system: string,
  value: string,
  display?: string,
): Reference<ExtractResource<T>> => ({
  type,
  identifier: { system, value },
  ...(display !== undefined ? { display } : {}),
});

/** A searchset Bundle (R4 3.1.1.4): matches first, then what was included, each with its search mode. */
export function searchsetWith(
  base: string,
  parts: { match: Resource[]; include?: Resource[]; outcome?: Resource[]; self?: string },
): Bundle {
  const entry = (mode: 'match' | 'include' | 'outcome') => (resource: Resource) =>
    ({
      fullUrl: `${base}/${resource.resourceType}/${resource.id ?? ''}`,
      resource,
      search: { mode },
    }) satisfies BundleEntry;
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: new Date().toISOString(),
    total: parts.match.length,
    ...(parts.self !== undefined ? { link: [{ relation: 'self', url: parts.self }] } : {}),
    entry: [
      ...parts.match.map(entry('match')),
      ...(parts.include ?? []).map(entry('include')),
      ...(parts.outcome ?? []).map(entry('outcome')),
    ],
  };
}

// What a reader accepts: only the shape it reads, checked before any mapping (a source may be an
// integrator's system, so its answer is untrusted input).
const AnyResource = z.looseObject({ resourceType: z.string(), id: z.string().optional() });
export const SearchsetShape = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.enum(['searchset', 'collection']),
  entry: z.array(z.looseObject({ resource: AnyResource.optional() })).default([]),
});

/** The resources of a Bundle by type, and a resolver of `Type/id` references inside it. */
export function readBundle(bundle: unknown): {
  all: { resourceType: string; id?: string | undefined }[];
  /** The resources of one type (or of any of several, in Bundle order), each checked against `schema`. */
  ofType: <T>(type: string | string[], schema: z.ZodType<T>) => T[];
  resolve: <T>(ref: string | undefined, schema: z.ZodType<T>) => T | undefined;
} {
  const parsed = SearchsetShape.safeParse(bundle);
  if (!parsed.success) throw new Error(`not a searchset Bundle: ${parsed.error.issues[0]?.message ?? ''}`);
  const all = parsed.data.entry.flatMap((e) => (e.resource === undefined ? [] : [e.resource]));
  const byRef = new Map(all.map((r) => [`${r.resourceType}/${r.id ?? ''}`, r]));
  const check = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
    const r = schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`${what}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
    }
    return r.data;
  };
  return {
    all,
    ofType: (type, schema) =>
      all
        .filter((r) => (typeof type === 'string' ? r.resourceType === type : type.includes(r.resourceType)))
        .map((r) => check(schema, r, `${r.resourceType}/${r.id ?? '?'}`)),
    resolve: (ref, schema) => {
      if (ref === undefined) return undefined;
      const found = byRef.get(ref);
      if (found === undefined) throw new Error(`${ref} is referenced but not in the Bundle`);
      return check(schema, found, ref);
    },
  };
}

/** The value of the first identifier of a system, if any. */
export const identifierValue = (ids: Identifier[] | undefined, system: string): string | undefined =>
  ids?.find((i) => i.system === system)?.value;

/** Reader schemas for the small datatypes. */
export const CodingR = z.looseObject({ system: z.string().optional(), code: z.string().optional() });
export const ConceptR = z.looseObject({ coding: z.array(CodingR).optional(), text: z.string().optional() });
export const IdentifierR = z.looseObject({ system: z.string().optional(), value: z.string().optional() });
export const ReferenceR = z.looseObject({
  reference: z.string().optional(),
  identifier: IdentifierR.optional(),
  display: z.string().optional(),
});
export const ExtensionR = z.looseObject({
  url: z.string(),
  valueString: z.string().optional(),
  valueBoolean: z.boolean().optional(),
  valueDateTime: z.string().optional(),
});

/** The code of the first coding of a system. */
export const codeOf = (c: z.infer<typeof ConceptR> | undefined, system: string): string | undefined =>
  c?.coding?.find((x) => x.system === system)?.code;

/** The value of an extension of the given url (string, boolean or dateTime). */
export const extensionValue = (
  exts: z.infer<typeof ExtensionR>[] | undefined,
  url: string,
): string | boolean | undefined => {
  const e = exts?.find((x) => x.url === url);
  return e?.valueString ?? e?.valueBoolean ?? e?.valueDateTime;
};

/** The BSN a reference names (a logical reference by BSN identifier). */
export const bsnOf = (ref: z.infer<typeof ReferenceR> | undefined): string | undefined =>
  ref?.identifier?.system === SYSTEM.bsn ? ref.identifier.value : undefined;

/** A date (YYYY-MM-DD) from a FHIR date or dateTime. */
export const dateOf = (v: string | undefined): string | undefined => v?.slice(0, 10);

/** XHTML narrative of plain text (FHIR's Narrative.div), and back. */
export function narrative(text: string): { status: 'generated'; div: string } {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${escaped}</div>` };
}
export function textOfNarrative(div: string | undefined): string | undefined {
  if (div === undefined) return undefined;
  const m = /^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">([\s\S]*)<\/div>$/.exec(div);
  if (m === null) throw new Error('a narrative that is not a plain XHTML div');
  return (m[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
