import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import {
  MedicationQuery,
  QueryBatch,
  SourceMedicationAnswer,
  SourceSummaryAnswer,
  SummaryQuery,
} from '@schakel/contracts';
import { compileCheck, compileSerializer, compileValidator } from '../src/pipeline/compiled.js';

/** Identifiers with a rule JSON Schema cannot say: each a good value and a bad one that fits the pattern. */
const IDS: Record<string, string[]> = {
  Bsn: ['999900146', '999900523', '999900147', '12345678'],
  Ura: ['00001111', '0000111'],
  Agb: ['01012345', 'x1012345'],
  UziNumber: ['900000001', '90000001'],
  BigNumber: ['19012345601', '1901234560'],
  ApplicationId: ['100001', '', '1234567890123'],
  UziRoleCode: ['01.015', '01015'],
};

type Schema = Record<string, unknown> & { definitions?: Record<string, Schema> };

/** Values shaped by a JSON Schema, mostly right and sometimes wrong (a wrong type, a missing field, an extra key). */
function values(root: Schema, s: Schema, depth = 0): fc.Arbitrary<unknown> {
  const ref = s.$ref as string | undefined;
  if (ref !== undefined) {
    const name = ref.split('/').at(-1) ?? '';
    const ids = IDS[name];
    if (ids !== undefined)
      return fc.oneof({ weight: 6, arbitrary: fc.constant(ids[0]) }, { weight: 1, arbitrary: fc.constantFrom(...ids) });
    return values(root, root.definitions?.[name] ?? {}, depth);
  }
  const odd = fc.constantFrom<unknown>(null, 7, 'x', [], {}, true, '');
  const right = shaped(root, s, depth);
  return fc.oneof({ weight: 60, arbitrary: right }, { weight: 1, arbitrary: odd });
}

function shaped(root: Schema, s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  // draft-7 ignores siblings of $ref, so zod writes a described reference as allOf: [{ $ref }].
  const all = s.allOf as Schema[] | undefined;
  if (all?.length === 1 && all[0] !== undefined) return values(root, all[0], depth);
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((a) => values(root, a, depth + 1)));
  switch (s.type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const required = (s.required ?? []) as string[];
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, values(root, v, depth + 1)])),
        { requiredKeys: required },
      );
      return fc.oneof(
        { weight: 30, arbitrary: record },
        { weight: 1, arbitrary: record.map((r) => ({ ...r, unexpected: 1 })) },
      );
    }
    case 'array':
      return fc.array(values(root, (s.items ?? {}) as Schema, depth + 1), { maxLength: depth > 4 ? 0 : 2 });
    case 'string':
      if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern)).map((v) => v.slice(0, 40));
      return fc.oneof(
        { weight: 6, arbitrary: fc.string({ minLength: Number(s.minLength ?? 0), maxLength: 12 }) },
        { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
      );
    case 'integer':
      return fc.integer({ min: -5, max: 500 });
    case 'number':
      return fc.double({ min: -5, max: 500, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

const CASES = { MedicationQuery, SummaryQuery, SourceMedicationAnswer, SourceSummaryAnswer };

describe('validators compiled from the zod schemas', () => {
  for (const [name, schema] of Object.entries(CASES)) {
    it(`accept and refuse exactly what zod does for ${name}, with the same value`, () => {
      const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' }) as Schema;
      const validate = compileValidator(schema);
      let accepted = 0;
      let refused = 0;
      fc.assert(
        fc.property(values(json, json), (value) => {
          const zod = schema.safeParse(structuredClone(value));
          const compiled = structuredClone(value);
          expect(validate(compiled)).toBe(zod.success);
          if (zod.success) {
            accepted++;
            // zod drops the keys a plain object does not know; the compiled serializer does the same on the way out.
            expect(JSON.parse(JSON.stringify(zod.data))).toEqual(strip(compiled, zod.data));
          } else refused++;
        }),
        { numRuns: 400, seed: 15 },
      );
      // Both sides of the comparison are exercised.
      expect(accepted).toBeGreaterThan(20);
      expect(refused).toBeGreaterThan(20);
    });
  }

  it('refuse with zod’s own error (the refusal codes stay those of the contract)', () => {
    const check = compileCheck(SourceMedicationAnswer);
    const answer = { interaction: 'QURX_IN990013NL', dispenses: [{ bsn: '999900147' }] };
    const r = check(answer);
    expect(r.ok).toBe(false);
    const zod = SourceMedicationAnswer.safeParse(answer);
    expect(r.ok ? undefined : r.error.issues).toEqual(zod.error?.issues);
  });
});

/** The compiled value with only the keys zod kept (zod's output is the reference for which keys stay). */
function strip(value: unknown, like: unknown): unknown {
  if (Array.isArray(value) && Array.isArray(like)) return value.map((v, i) => strip(v, like[i]));
  if (typeof value === 'object' && value !== null && typeof like === 'object' && like !== null)
    return Object.fromEntries(
      Object.keys(like)
        .filter((k) => k in value)
        .map((k) => [k, strip((value as Record<string, unknown>)[k], (like as Record<string, unknown>)[k])]),
    );
  return value;
}

describe('the compiled batch serializer', () => {
  it('writes a batch as zod’s parse of it would, and leaves out what the contract does not name', () => {
    const serialize = compileSerializer(QueryBatch);
    const batch = {
      interaction: 'QURX_IN990013NL',
      batch: 'MCCI_IN200101',
      batchId: 'b-1',
      aortaId: 'initialRequestID=2f1d6c1e-8a1b-4c5d-9e0f-1a2b3c4d5e6f; requestID=2f1d6c1e-8a1b-4c5d-9e0f-1a2b3c4d5e6f',
      bsn: '999900146',
      category: 'MEDVERSTREKKING',
      complete: true,
      sources: [
        {
          applicationId: '100009',
          ura: '01000009',
          organisationName: 'Apotheek De Vijzel',
          organisationType: 'J8',
          status: 'ok',
          decision: { code: 'CONSENT_GIVEN', rule: 'CONSENT-1', explanation: 'consent on record' },
          contacted: true,
          durationMs: 12,
          extra: 'not in the contract either',
          dispenses: [
            {
              product: { name: 'Metoprolol 50 mg tablet', atc: 'C07AB02' },
              amount: { value: 30, unit: 'stuk' },
              dosageInstruction: '1x per dag 1 tablet',
              dispensedOn: '2026-11-01',
              prescriber: { name: 'Dr. X' },
              id: 'd-1',
              bsn: '999900146',
              pharmacy: { ura: '01000009', name: 'Apotheek De Vijzel', extra: 'not in the contract' },
            },
          ],
        },
      ],
    };
    const parsed = QueryBatch.safeParse(batch);
    if (!parsed.success) throw new Error(`the sample batch does not fit the contract: ${parsed.error.message}`);
    expect(JSON.parse(serialize(batch))).toEqual(parsed.data);
    expect(serialize(batch)).not.toContain('not in the contract');
    expect(serialize(batch)).not.toContain('extra');
  });
});
