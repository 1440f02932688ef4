import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Element } from '@xmldom/xmldom';
import { parseXml } from '../src/xml/parse.js';

/**
 * Validation of what we produce against HL7's published schemas (the flattened MCCI_IN200101 and
 * MCCI_IN000002 in packages/hl7v3/schemas, with HL7's notice; their README says where they come from) with
 * `xmllint --noout --schema`. $HL7V3_SCHEMA_DIR points at another copy. Without xmllint
 * (apt-get install -y libxml2-utils) schema validation is skipped with a printed reason on a developer's
 * machine and is an error in CI (.ci/run installs it); the structural check below always runs.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DIR = resolve(process.env['HL7V3_SCHEMA_DIR'] ?? join(here, '..', 'schemas'));

export const xmllint = spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;
export const schemaFile = (name: 'MCCI_IN200101' | 'MCCI_IN000002') => join(SCHEMA_DIR, `${name}.xsd`);
export const schemasPresent = existsSync(schemaFile('MCCI_IN200101')) && existsSync(schemaFile('MCCI_IN000002'));

export const schemaSkipReason = !xmllint
  ? 'xmllint is not installed (apt-get install -y libxml2-utils): HL7 schema validation skipped, structural checks only'
  : !schemasPresent
    ? `the HL7 schemas are not in ${SCHEMA_DIR}: HL7 schema validation skipped, structural checks only`
    : undefined;
if (schemaSkipReason !== undefined) {
  if (process.env['CI'] === 'true') throw new Error(`[hl7v3] in CI schema validation must run: ${schemaSkipReason}`);
  console.warn(`[hl7v3] ${schemaSkipReason}`);
}

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
