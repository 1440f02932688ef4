import type { Bundle, BundleEntry, OperationOutcome, Resource } from './types.js';

/**
 * A searchset Bundle of `matches`, each with its full URL under `base` and search.mode match; an
 * OperationOutcome (why some were left out, as the consent rules decided) goes last with mode outcome.
 */
export function searchset(
  base: string,
  matches: Resource[],
  options: { self?: string; outcome?: OperationOutcome } = {},
): Bundle {
  const entry: BundleEntry[] = matches.map((resource) => ({
    ...(resource.id !== undefined ? { fullUrl: `${base}/${resource.resourceType}/${resource.id}` } : {}),
    resource,
    search: { mode: 'match' },
  }));
  if (options.outcome !== undefined) entry.push({ resource: options.outcome, search: { mode: 'outcome' } });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    ...(options.self !== undefined ? { link: [{ relation: 'self', url: options.self }] } : {}),
    entry,
  };
}

/** The response to a transaction: one entry per request entry, in order (FHIR R4 3.1.0.11.2). */
export function transactionResponse(entries: NonNullable<BundleEntry['response']>[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: entries.map((response) => ({ response })),
  };
}

/** A collection Bundle (a source's answer that is not a search). */
export function collection(resources: Resource[]): Bundle {
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}

/** The resources of a Bundle's entries of one type (a reader's helper). */
export function resourcesOf<T extends Resource['resourceType']>(
  bundle: Bundle,
  type: T,
): Extract<Resource, { resourceType: T }>[] {
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is Extract<Resource, { resourceType: T }> => r?.resourceType === type);
}
