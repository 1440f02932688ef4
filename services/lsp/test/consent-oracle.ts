import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  AMBULANCE_SERVICE_TYPE,
  ORGANISATION_TYPES,
  UZI_ROLES,
  type ConsentHolder,
  type DataCategory,
} from '@schakel/contracts';
import { DEFAULT_PROTOCOL_FILE } from '../src/index.js';

/**
 * The oracle of the consent precedence property tests (property.test.ts: the fan-out; fhir-questions.test.ts:
 * the closed question on the FHIR wire), written from docs/domain.md sections 4 and 5, not from the code:
 * random cases of role, requesting organisation type, category, situation, consent choices and policy
 * switches, and whether holder 0 or 1 (two community pharmacies) may be asked.
 */
export const HOLDERS = [
  { ura: '02000001', applicationId: '200001', name: 'Apotheek A' },
  { ura: '02000002', applicationId: '200002', name: 'Apotheek B' },
];
export const TYPES = Object.keys(ORGANISATION_TYPES) as (keyof typeof ORGANISATION_TYPES)[];
export const ROLES = Object.keys(UZI_ROLES);
export const protocolRows = (
  JSON.parse(readFileSync(DEFAULT_PROTOCOL_FILE, 'utf8')) as {
    rows: {
      effect: string;
      roles: string[];
      organisationTypes: string[];
      categories: string[];
      situations: string[];
    }[];
  }
).rows;

export type Holder = { kind: 'named'; index: 0 | 1 } | { kind: 'type'; type: string } | { kind: 'all' };
export interface Choice {
  state: 'consent' | 'objection' | 'no-choice';
  holder: Holder;
  category: DataCategory | '*';
  consumer: 'requester' | 'other' | '*';
}
export const choiceArb: fc.Arbitrary<Choice> = fc.record({
  state: fc.constantFrom('consent' as const, 'objection' as const, 'no-choice' as const),
  holder: fc.oneof(
    fc.record({ kind: fc.constant('named' as const), index: fc.constantFrom(0 as const, 1 as const) }),
    fc.record({ kind: fc.constant('type' as const), type: fc.constantFrom('J8', 'Z3') }),
    fc.constant({ kind: 'all' as const }),
  ),
  category: fc.constantFrom('*' as const, 'MEDVERSTREKKING' as const, 'WAARNEEMGEGEVENS' as const),
  consumer: fc.constantFrom('requester' as const, 'other' as const, '*' as const),
});
export const caseArb = fc.record({
  role: fc.constantFrom(...ROLES),
  type: fc.constantFrom(...TYPES),
  category: fc.constantFrom('MEDVERSTREKKING' as const, 'WAARNEEMGEGEVENS' as const),
  situation: fc.constantFrom('regular' as const, 'acute' as const),
  verbalConsent: fc.boolean(),
  patientCannotConsent: fc.boolean(),
  treatmentRelation: fc.boolean(),
  policies: fc.record({ coronaOptIn: fc.boolean(), stopButton: fc.boolean(), presumedConsent: fc.boolean() }),
  // One choice per scope at most, so "the newest per scope" needs no modelling here.
  choices: fc.uniqueArray(choiceArb, {
    maxLength: 4,
    selector: (c) => JSON.stringify([c.holder, c.category, c.consumer]),
  }),
});
export type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** The oracle: may holder h be asked? Written from the rules in docs/domain.md sections 4 and 5. */
export function mayAsk(c: Case, h: 0 | 1): boolean {
  const has = (list: string[], v: string) => list.includes('*') || list.includes(v);
  const matching = protocolRows.filter(
    (r) =>
      r.roles.includes(c.role) &&
      has(r.organisationTypes, c.type) &&
      has(r.categories, c.category) &&
      has(r.situations, c.situation),
  );
  if (!c.treatmentRelation || matching.some((r) => r.effect === 'deny') || !matching.some((r) => r.effect === 'allow'))
    return false;
  const covers = (x: Choice) =>
    (x.holder.kind === 'named' ? x.holder.index === h : x.holder.kind === 'type' ? x.holder.type === 'J8' : true) &&
    (x.category === '*' || x.category === c.category) &&
    (x.consumer === '*' || x.consumer === 'requester');
  const rank = (x: Choice) =>
    (x.holder.kind === 'named' ? 200 : x.holder.kind === 'type' ? 100 : 0) +
    (x.category === '*' ? 0 : 10) +
    (x.consumer === '*' ? 0 : 1);
  const covering = c.choices.filter(covers);
  const top = Math.max(-1, ...covering.map(rank));
  const winners = covering.filter((x) => rank(x) === top);
  if (winners.some((x) => x.state === 'objection')) return false;
  if (winners.some((x) => x.state === 'consent')) return true;
  const presumed =
    c.policies.presumedConsent &&
    c.situation === 'acute' &&
    c.patientCannotConsent &&
    ['V4', 'V5', AMBULANCE_SERVICE_TYPE].includes(c.type);
  const corona =
    c.policies.coronaOptIn &&
    !c.policies.stopButton &&
    c.verbalConsent &&
    c.category === 'WAARNEEMGEGEVENS' &&
    ['N6', 'V4', 'V5'].includes(c.type);
  return presumed || corona;
}

/** A generated choice's holder as the consent store takes it. */
export function holderOf(x: Choice): ConsentHolder {
  return x.holder.kind === 'named'
    ? { ura: HOLDERS[x.holder.index]!.ura }
    : x.holder.kind === 'type'
      ? { organisationType: x.holder.type as 'J8' }
      : { all: true };
}
/** A generated choice's consumer category, for a requester of organisation type `type`. */
export const consumerOf = (x: Choice, type: string) =>
  x.consumer === '*' ? '*' : x.consumer === 'requester' ? type : type === 'J8' ? 'Z3' : 'J8';
