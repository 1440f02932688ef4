import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, SYSTEM, readSummaryBundle, summaryBundle } from '../src/index.js';
// The HL7v3 wire's fixture of a rich summary (every kind of item), so both wires are tried on the same data.
import { summary } from '../../hl7v3/test/fixtures.js';
import { invalidResources } from './r4.js';

const BASE = 'https://gp.test/lsp/fhir';

describe('the professional summary as a FHIR document', () => {
  const bundle = summaryBundle(BASE, { summary });

  it('is valid R4, every resource in it too', () => {
    expect(summary.acuteCareFeedback.length).toBeGreaterThan(0);
    expect(summary.treatmentLimits.some((l) => l.reportedIn !== undefined)).toBe(true);
    expect(invalidResources(bundle)).toEqual([]);
  });

  it('starts with the summary Composition and names patient, practice and episodes the nl-core way', () => {
    expect(bundle.type).toBe('document');
    expect(bundle.entry?.[0]?.resource).toMatchObject({ resourceType: 'Composition', id: 'summary' });
    const resource = (type: string) => bundle.entry?.find((e) => e.resource?.resourceType === type)?.resource;
    expect(resource('Patient')).toMatchObject({ identifier: [{ system: SYSTEM.bsn, value: summary.bsn }] });
    expect(resource('Organization')).toMatchObject({
      identifier: [{ system: SYSTEM.ura, value: summary.practice.ura }],
    });
    expect(resource('Condition')).toMatchObject({ code: { coding: [{ system: CODE_SYSTEM.icpc, code: 'T90.02' }] } });
  });

  it('reads back into the very summary the JSON leg gives', () => {
    expect(readSummaryBundle(JSON.parse(JSON.stringify(bundle)))).toEqual({ interaction: 'QUPC_IN990002NL', summary });
  });

  it('answers a decline as an OperationOutcome with the decision, and an unknown patient as nothing', () => {
    const declined = { code: 'GP_DECLINED', rule: 'GP-SHARE-1: …', explanation: 'Not now.' };
    const b = summaryBundle(BASE, { summary: null, declined });
    expect(invalidResources(b)).toEqual([]);
    expect(readSummaryBundle(b)).toEqual({ interaction: 'QUPC_IN990002NL', summary: null, declined });
    expect(readSummaryBundle(summaryBundle(BASE, { summary: null }))).toEqual({
      interaction: 'QUPC_IN990002NL',
      summary: null,
    });
  });

  it('refuses a Bundle that does not make a summary', () => {
    const broken = JSON.parse(JSON.stringify(bundle));
    broken.entry[1].resource.identifier[0].value = '12345';
    expect(() => readSummaryBundle(broken)).toThrow(/bsn/);
    expect(() => readSummaryBundle({ resourceType: 'Bundle', type: 'searchset' })).toThrow(/document/);
    expect(() => readSummaryBundle('<xml/>')).toThrow();
  });
});
