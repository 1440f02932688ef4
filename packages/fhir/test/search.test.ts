import { describe, expect, it } from 'vitest';
import { ProblemError, type SourceMedicationQuery } from '@schakel/contracts';
import { REQUESTER_HEADER, medicationQueryOf, medicationSearch, summaryQueryOf, summarySearch } from '../src/index.js';

const requester = {
  ura: '03000001',
  organisationName: 'Huisartsenpost Midden',
  professional: { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. H. de Wit' },
};
/** The search as the source's router hands it over: the query string parsed, repeats as arrays. */
function asReceived(path: string) {
  const params: Record<string, string | string[]> = {};
  for (const [k, v] of new URL(path, 'https://source.test/lsp/fhir/').searchParams) {
    const had = params[k];
    params[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  return params;
}

describe('the searches the switch point sends a FHIR source', () => {
  it('carry the medication query whole: BSN, period, latest per product, requester', () => {
    const q: SourceMedicationQuery = {
      bsn: '999900146',
      requester,
      from: '2026-01-01',
      to: '2026-06-30',
      latestPerProduct: true,
    };
    const sent = medicationSearch(q);
    expect(sent.path).toMatch(/^MedicationDispense\?patient\.identifier=http%3A%2F%2Ffhir\.nl/);
    expect(medicationQueryOf(asReceived(sent.path), sent.requester)).toEqual({
      query: q,
      includes: { medication: true, intolerances: true },
    });
    const summary = summarySearch({ bsn: '999900146', requester });
    expect(summary.path.startsWith('Patient/$summary?identifier=')).toBe(true);
    expect(summaryQueryOf(asReceived(summary.path), summary.requester)).toEqual({ bsn: '999900146', requester });
  });

  it('are refused with a code from the one list when they cannot be read', () => {
    const sent = medicationSearch({ bsn: '999900146', requester });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof ProblemError ? err.code : 'not a problem';
      }
      return 'accepted';
    };
    expect(code(() => medicationQueryOf({ 'patient.identifier': 'urn:oid:1.2.3|999900146' }, sent.requester))).toBe(
      'VALIDATION_ERROR',
    );
    expect(code(() => medicationQueryOf({ 'patient.identifier': '999900147' }, sent.requester))).toBe('INVALID_BSN');
    expect(code(() => medicationQueryOf(asReceived(sent.path), undefined))).toBe('VALIDATION_ERROR');
    expect(code(() => medicationQueryOf(asReceived(sent.path), 'bm90IGpzb24'))).toBe('VALIDATION_ERROR');
    expect(code(() => medicationQueryOf({ ...asReceived(sent.path), whenhandedover: 'gt2026' }, sent.requester))).toBe(
      'VALIDATION_ERROR',
    );
    expect(REQUESTER_HEADER).toBe('schakel-requester');
  });
});
