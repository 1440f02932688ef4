import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Element } from '@xmldom/xmldom';
import { parseXml } from '../src/xml/parse.js';

/**
 * Validation of what we produce against HL7's published schemas (flattened MCCI_IN200101 and
 * MCCI_IN000002, from the Nictiz HL7-mappings history; see docs/hl7v3.md for where exactly) with
 * `xmllint --noout --schema`. The schemas are looked up in $HL7V3_SCHEMA_DIR, else packages/hl7v3/schemas.
 * Without xmllint (apt-get install -y libxml2-utils) or without the schema files, schema validation is
 * skipped with a printed reason; the structural check below always runs.
 */
const here = dirname(fileURLToPath(import.meta.url));
// The schemas are public HL7 material we may not commit from where we found them: a developer places them
// in packages/hl7v3/schemas (ignored by git), or the project's shared folder beside the checkout holds them.
const CANDIDATES = [join(here, '..', 'schemas'), join(here, '..', '..', '..', '..', 'shared', 'hl7v3-schemas')];
export const SCHEMA_DIR = resolve(
  process.env['HL7V3_SCHEMA_DIR'] ??
    CANDIDATES.find((d) => existsSync(join(d, 'MCCI_IN200101.xsd'))) ??
    (CANDIDATES[0] as string),
);

export const xmllint = spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;
export const schemaFile = (name: 'MCCI_IN200101' | 'MCCI_IN000002') => join(SCHEMA_DIR, `${name}.xsd`);
export const schemasPresent = existsSync(schemaFile('MCCI_IN200101')) && existsSync(schemaFile('MCCI_IN000002'));

export const schemaSkipReason = !xmllint
  ? 'xmllint is not installed (apt-get install -y libxml2-utils): HL7 schema validation skipped, structural checks only'
  : !schemasPresent
    ? `the flattened HL7 schemas are not in ${SCHEMA_DIR} (set HL7V3_SCHEMA_DIR; docs/hl7v3.md says where they come from): HL7 schema validation skipped, structural checks only`
    : undefined;
if (schemaSkipReason !== undefined) console.warn(`[hl7v3] ${schemaSkipReason}`);

/** xmllint's verdict: undefined when valid, else its messages. */
export function validateAgainstSchema(xml: string, schema: 'MCCI_IN200101' | 'MCCI_IN000002'): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hl7v3-'));
  try {
    const file = join(dir, `${schema}.xml`);
    writeFileSync(file, xml);
    try {
      execFileSync('xmllint', ['--noout', '--nonet', '--schema', schemaFile(schema), file], {
        stdio: 'pipe',
        encoding: 'utf8',
      });
      return undefined;
    } catch (error) {
      return String((error as { stderr?: string }).stderr ?? error);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The element order of the two wrappers, from the schemas' sequences (what a structural check can say
 * without a schema processor): required elements present, in order, nothing else at that level.
 */
const ORDER = {
  MCCI_IN000002:
    /^id creationTime versionCode interactionId( profileId)+ processingCode processingModeCode acceptAckCode acknowledgement( attentionLine)* receiver( respondTo)* sender$/,
  MCCI_IN200101:
    /^id creationTime( versionCode)+( interactionId)+( profileId)+( referenceControlId)?( name)?( batchComment)*( transmissionQuantity)?( batchTotalNumber)* acknowledgement receiver( respondTo)* sender( \S+)*$/,
};

export function structuralProblems(xml: string, schema: 'MCCI_IN200101' | 'MCCI_IN000002'): string[] {
  const root = parseXml(xml, { maxBytes: 64 * 1024 * 1024 }).documentElement!;
  const problems: string[] = [];
  if (root.localName !== schema || root.namespaceURI !== 'urn:hl7-org:v3')
    problems.push(`root is {${root.namespaceURI}}${root.localName}`);
  const names: string[] = [];
  let type = '';
  for (let c = root.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType !== c.ELEMENT_NODE) continue;
    names.push(c.localName ?? '');
    if (c.localName === 'acknowledgement') type = (c as Element).getAttribute('typeCode') ?? '';
  }
  if (!ORDER[schema].test(names.join(' '))) problems.push(`children out of order: ${names.join(' ')}`);
  if (!['AA', 'AE', 'AR'].includes(type)) problems.push(`acknowledgement typeCode ${type}`);
  return problems;
}
