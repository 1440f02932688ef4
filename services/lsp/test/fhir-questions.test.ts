import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { passesElevenTest } from '@schakel/contracts';
import { CONSENT_SYSTEMS as S, type ParametersParameter } from '@schakel/fhir';
import { createConsentStore } from '../src/consent.js';
import { createPolicyStore } from '../src/policies.js';
import { HOLDERS, caseArb, consumerOf, holderOf, mayAsk, type Case } from './consent-oracle.js';
import { startSwitchPoint, type TestSwitchPoint } from './helpers.js';

/**
 * The closed question on the FHIR wire answers exactly as the consent rules do: over random cases of role,
 * organisation type, category, situation, choices and policy switches (the oracle of the fan-out's
 * property test, consent-oracle.ts), POST /fhir/Consent/$closed-question over mutual TLS says permit for a
 * holder exactly when the oracle says it may be asked. A closed question carries no verbal consent, no
 * emergency and no treatment relation, so the oracle is asked with those fixed.
 */
// 500 cases in npm test (a fixed seed); PROPERTY_RUNS=10000 for a deeper run.
const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 500);

let sp: TestSwitchPoint;
let consents: ReturnType<typeof createConsentStore>;
let policies: ReturnType<typeof createPolicyStore>;
const bsns: string[] = [];

beforeAll(async () => {
  sp = await startSwitchPoint();
  for (const h of HOLDERS)
    await sp.admin.lsp.registerSystem(h.applicationId, {
      ura: h.ura,
      organisationName: h.name,
      organisationType: 'J8',
      provides: ['MEDVERSTREKKING', 'WAARNEEMGEGEVENS'],
    });
  // The same store the switch point decides from: choices and policies are written as any process would.
  consents = createConsentStore(sp.db);
  policies = createPolicyStore(sp.db);
  for (let n = 400_000_000; bsns.length < RUNS + 10; n++) if (passesElevenTest(String(n))) bsns.push(String(n));
}, 60_000);
afterAll(async () => sp?.close());

function ask(c: Case, bsn: string, holderUra: string) {
  return sp.hap.http('POST', '/fhir/Consent/$closed-question', {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { system: S.bsn, value: bsn } },
      { name: 'role', valueCoding: { system: S.uziRole, code: c.role } },
      { name: 'organizationType', valueCoding: { system: S.organisationType, code: c.type } },
      { name: 'holder', valueIdentifier: { system: S.ura, value: holderUra } },
      { name: 'category', valueCoding: { system: S.dataCategory, code: c.category } },
      { name: 'situation', valueCode: c.situation },
    ],
  });
}
const part = (p: ParametersParameter | undefined, name: string) => p?.part?.find((x) => x.name === name);

describe('POST /fhir/Consent/$closed-question (property)', () => {
  it(`answers permit exactly when the consent rules let the holder be asked (${RUNS} cases)`, async () => {
    let caseNo = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const bsn = bsns[caseNo++];
        if (bsn === undefined) throw new Error('out of test BSNs');
        for (const x of c.choices)
          await consents.record(bsn, {
            state: x.state,
            holder: holderOf(x),
            category: x.category,
            consumerType: consumerOf(x, c.type),
            recordedBy: 'patient',
            channel: 'portal',
          });
        await policies.set(c.policies, 'property test');
        const closed = { ...c, treatmentRelation: true, verbalConsent: false, patientCannotConsent: false };
        for (const [i, h] of HOLDERS.entries()) {
          const r = await ask(c, bsn, h.ura);
          expect(r.status, JSON.stringify(r.json)).toBe(200);
          const decision = (r.json.parameter as ParametersParameter[]).find((p) => p.name === 'decision');
          expect(part(decision, 'category')?.valueCoding?.code).toBe(c.category);
          expect(part(decision, 'answer')?.valueCode, `${h.name}: ${JSON.stringify(decision)}`).toBe(
            mayAsk(closed, i as 0 | 1) ? 'permit' : 'deny',
          );
          // Every answer names its rule; a consent decision names its record as a Consent.
          expect(part(decision, 'rule')?.valueString).toMatch(/\S/);
          const code = part(decision, 'code')?.valueCode ?? '';
          if (['CONSENT_GIVEN', 'CONSENT_OBJECTION'].includes(code))
            expect(part(decision, 'consent')?.valueReference?.reference).toMatch(/^Consent\/\d+$/);
        }
      }),
      { numRuns: RUNS, seed: 20261203 },
    );
  }, 600_000);
});
