import { describe, expect, it } from 'vitest';
import { passesElevenTest } from '@schakel/contracts';
import { assembleRecording, scanForOriginals, type CapturedExchange } from '../src/index.js';

const BSN = '999900523';
const OTHER = '999900146';
const base = { at: '2026-12-03T10:00:00.000Z', method: 'POST', status: 200, ms: 5, initialRequestId: 'i-1' };
const json = (v: unknown) => JSON.stringify(v);

/** A medication query through the switch point and the pharmacy's answer, JSON; a summary leg in HL7v3 XML. */
const captured: { org: string; exchanges: CapturedExchange[] }[] = [
  {
    org: 'lsp',
    exchanges: [
      {
        ...base,
        url: '/queries/medication',
        route: '/queries/medication',
        requestType: 'application/json',
        request: json({
          bsn: BSN,
          requester: {
            applicationId: '300001',
            professional: { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. H. de Wit' },
          },
          treatmentRelation: true,
        }),
        responseType: 'application/json; charset=utf-8',
        response: json({
          bsn: BSN,
          sources: [
            {
              ura: '02000001',
              organisationName: 'Apotheek De Vijzel',
              status: 'ok',
              decision: { code: 'CONSENT_GIVEN', explanation: 'Jan Jansen consented (recorded 2026-11-01)' },
              dispenses: [
                {
                  product: { name: 'Omeprazol 20 mg capsule', gpk: '15954', atc: 'A02BC01' },
                  dosageInstruction: '1 maal per dag 1 capsule, vóór het ontbijt',
                  dispensedOn: '2026-11-01',
                  prescriber: { name: 'Dr. A. Bakker', agb: '01012345' },
                  bsn: BSN,
                },
              ],
            },
          ],
        }),
      },
      {
        ...base,
        method: 'PUT',
        url: `/reference-index/${OTHER}/MEDVERSTREKKING/200001`,
        route: '/reference-index/:bsn/:category/:applicationId',
        requestType: 'application/json',
        request: json({ reason: 'consent' }),
      },
    ],
  },
  {
    org: 'gp-de-linde',
    exchanges: [
      {
        ...base,
        at: '2026-12-03T10:00:01.000Z',
        url: '/lsp/aorta',
        route: '/lsp/aorta',
        requestType: 'application/soap+xml',
        request: `<Envelope><Header><X509Certificate>MIIBcard</X509Certificate></Header><QUPC_IN990001NL><id extension="${OTHER}" root="2.16.840.1.113883.2.4.6.3"/></QUPC_IN990001NL></Envelope>`,
        responseType: 'application/soap+xml',
        response:
          `<Envelope><patient><id root="2.16.840.1.113883.2.4.6.3" extension="${OTHER}"/><patientPerson><name>Jan Jansen</name></patientPerson></patient>` +
          `<observation><code code="K86" codeSystem="2.16.840.1.113883.2.4.4.31.1"/><text>Bloeddruk 150/90, Jan voelt zich goed</text></observation>` +
          `<author><assignedPerson><name>Dr. M. Jansen-Smit</name></assignedPerson></author><text>Bloeddruk 150/90, Jan voelt zich goed</text></Envelope>`,
      },
      {
        ...base,
        at: '2026-12-03T10:00:02.000Z',
        url: '/lsp/summary-queries',
        route: '/lsp/summary-queries',
        requestType: 'application/json',
        request: json({ bsn: OTHER }),
        responseType: 'application/json',
        response: json({
          bsn: OTHER,
          patient: {
            name: 'Jan Jansen',
            birthDate: '1948-03-12',
            address: { street: 'Lindelaan', houseNumber: '12', postalCode: '3511 AB', city: 'Utrecht' },
          },
          measurements: [{ name: 'Gewicht', value: 84, unit: 'kg', bsn: OTHER }],
          journal: [
            { author: 'Dr. M. Jansen-Smit', S: 'Bloeddruk 150/90, Jan voelt zich goed', icpc: { code: 'K86' } },
          ],
        }),
      },
    ],
  },
];

const recording = assembleRecording({
  startedAt: '2026-12-03T09:59:00.000Z',
  switchPoint: 'lsp',
  processes: [{ id: 'lsp', service: 'lsp', name: 'Landelijk Schakelpunt' }],
  captured,
});
const text = JSON.stringify(recording);
const originals = {
  bsns: [BSN, OTHER],
  names: ['Jan Jansen', 'Dr. H. de Wit', 'H. de Wit', 'Dr. A. Bakker', 'Dr. M. Jansen-Smit', 'Lindelaan', 'Utrecht'],
};
const ex = (i: number) => recording.exchanges[i] as { request?: any; response?: any; url: string; leg: string };

describe('assembleRecording', () => {
  it('leaves none of the original BSNs, names or free text in the recording', () => {
    expect(scanForOriginals(text, originals, recording.pseudonyms.bsns)).toEqual([]);
    expect(text).not.toContain('vóór het ontbijt');
    expect(text).not.toContain('voelt zich goed');
    expect(text).not.toContain('MIIBcard');
  });

  it('gives each patient one pseudonym BSN that passes the 11-proef, in JSON, URLs and HL7v3 XML alike', () => {
    const [p1, p2] = recording.pseudonyms.bsns;
    expect(recording.pseudonyms.bsns).toHaveLength(2);
    for (const p of [p1, p2]) expect(passesElevenTest(p as string) && (p as string).startsWith('9999')).toBe(true);
    expect(ex(0).request.bsn).toBe(p1);
    expect(ex(0).response.sources[0].dispenses[0].bsn).toBe(p1);
    expect(ex(1).url).toBe(`/reference-index/${p2}/MEDVERSTREKKING/200001`);
    expect(ex(2).request).toContain(`extension="${p2}"`);
    expect(ex(3).response.bsn).toBe(p2);
  });

  it('replaces names and free text consistently, and keeps codes, dates, numbers and enumerations', () => {
    const patientName = ex(3).response.patient.name as string;
    expect(patientName).not.toBe('Jan Jansen');
    expect(ex(2).response).toContain(`<name>${patientName}</name>`);
    const author = ex(3).response.journal[0].author as string;
    expect(author).toMatch(/^Dr\. /);
    expect(ex(2).response).toContain(`<name>${author}</name>`);
    const note = ex(3).response.journal[0].S as string;
    expect(note).toMatch(/^\[vrije tekst \d+\]$/);
    expect(ex(2).response).toContain(`<text>${note}</text>`);
    // A name found where the message says a person is, is replaced wherever else it occurs.
    expect(ex(0).response.sources[0].decision.explanation).toBe(`${patientName} consented (recorded 2026-11-01)`);
    expect(ex(0).response.sources[0].dispenses[0].product).toEqual({
      name: 'Omeprazol 20 mg capsule',
      gpk: '15954',
      atc: 'A02BC01',
    });
    expect(ex(0).response.sources[0].dispenses[0].dispensedOn).toBe('2026-11-01');
    expect(ex(0).request.requester.professional).toMatchObject({ uziNumber: '900000001', roleCode: '01.015' });
    expect(ex(3).response.measurements[0].name).toBe('Gewicht');
    expect(ex(3).response.patient.birthDate).toBe('1948-03-12');
    expect(ex(3).response.patient.address.postalCode).toBe('9999 ZZ');
    expect(ex(1).request).toEqual({ reason: 'consent' });
    expect(ex(2).response).toContain('code="K86"');
  });

  it('marks the requester leg and the source legs, oldest first', () => {
    expect(recording.exchanges.map((e) => [e.org, e.leg])).toEqual([
      ['lsp', 'requester'],
      ['lsp', 'requester'],
      ['gp-de-linde', 'source'],
      ['gp-de-linde', 'source'],
    ]);
  });
});

describe('scanForOriginals', () => {
  it('finds originals in a text that was not pseudonymised, and a BSN field that is no pseudonym', () => {
    const raw = JSON.stringify(captured);
    const found = scanForOriginals(raw, originals, recording.pseudonyms.bsns);
    expect(found.filter((f) => f.kind === 'bsn').map((f) => f.value)).toEqual([BSN, OTHER]);
    expect(found.some((f) => f.kind === 'name' && f.value === 'Jan Jansen')).toBe(true);
    expect(scanForOriginals('{"bsn":"999900262"}', {}, recording.pseudonyms.bsns)).toEqual([
      { kind: 'unknown-bsn', value: '999900262' },
    ]);
  });
});
