import { AMBULANCE_SERVICE_TYPE, type ConsentState, type DataCategory, type Decision } from '@schakel/contracts';

/**
 * The consent profile model (Mitz style, docs/domain.md section 4): a choice has a state, a data holder (a
 * named organisation, an organisation category, or all holders), a data category (or all) and a consumer
 * category (or all). The newest choice per scope is in force; among the choices in force that cover a
 * request, the more specific wins (holder first, then data category, then consumer); at equal
 * specificity an objection wins.
 */
export interface ConsentChoice {
  id: number;
  state: ConsentState;
  /** A named holder (URA) ... */
  holderUra: string | null;
  /** ... or a holder category (organisation type); both null means every holder. */
  holderType: string | null;
  category: DataCategory | '*';
  /** A consumer's organisation type, or '*' for every consumer. */
  consumerType: string;
  recordedAt: string;
  channel: string;
}

export interface Policies {
  /** Corona opt-in: the summary of a patient with no choice may be shown at the HAP and the SEH after verbal consent on the spot. */
  coronaOptIn: boolean;
  /** The stop button of the corona opt-in: on means such requests return nothing, even with verbal consent. */
  stopButton: boolean;
  /** Presumed consent in an emergency when the patient cannot consent (SEH, ambulance), unless they objected. */
  presumedConsent: boolean;
}
export const DEFAULT_POLICIES: Policies = { coronaOptIn: true, stopButton: true, presumedConsent: true };

export interface ConsentRequest {
  holder: { ura: string; organisationType: string; name: string };
  category: DataCategory;
  consumerType: string;
  situation: 'regular' | 'acute';
  /** The patient gave verbal consent on the spot, recorded with the request (corona opt-in). */
  verbalConsent: boolean;
  /** The patient cannot consent (e.g. unconscious): the emergency procedure (presumed consent). */
  patientCannotConsent: boolean;
}

const scopeKey = (c: ConsentChoice) => `${c.holderUra ?? ''}|${c.holderType ?? ''}|${c.category}|${c.consumerType}`;

/** The newest choice per scope: a later choice for the same scope (including a withdrawal) replaces it. */
export function choicesInForce(history: readonly ConsentChoice[]): ConsentChoice[] {
  const latest = new Map<string, ConsentChoice>();
  for (const c of [...history].sort((a, b) => a.id - b.id)) latest.set(scopeKey(c), c);
  return [...latest.values()];
}

const specificity = (c: ConsentChoice): [number, number, number] => [
  c.holderUra !== null ? 2 : c.holderType !== null ? 1 : 0,
  c.category === '*' ? 0 : 1,
  c.consumerType === '*' ? 0 : 1,
];
const STATE_WEIGHT: Record<ConsentState, number> = { objection: 2, consent: 1, 'no-choice': 0 };

/** The choice that decides this request, if any covers it. */
export function decidingChoice(
  inForce: readonly ConsentChoice[],
  r: Pick<ConsentRequest, 'holder' | 'category' | 'consumerType'>,
): ConsentChoice | undefined {
  const covering = inForce.filter(
    (c) =>
      (c.holderUra !== null
        ? c.holderUra === r.holder.ura
        : c.holderType !== null
          ? c.holderType === r.holder.organisationType
          : true) &&
      (c.category === '*' || c.category === r.category) &&
      (c.consumerType === '*' || c.consumerType === r.consumerType),
  );
  covering.sort((a, b) => {
    const [sa, sb] = [specificity(a), specificity(b)];
    for (let i = 0; i < 3; i++) if (sa[i] !== sb[i]) return (sb[i] ?? 0) - (sa[i] ?? 0);
    return STATE_WEIGHT[b.state] - STATE_WEIGHT[a.state] || b.id - a.id;
  });
  return covering[0];
}

function scopeWords(c: ConsentChoice, holderName: string): string {
  const holder =
    c.holderUra !== null
      ? holderName
      : c.holderType !== null
        ? `every organisation of type ${c.holderType}`
        : 'every holder';
  const category = c.category === '*' ? 'all data' : c.category;
  const consumer = c.consumerType === '*' ? 'anyone' : `organisations of type ${c.consumerType}`;
  return `${category} held by ${holder}, for ${consumer} (recorded ${c.recordedAt} via ${c.channel})`;
}

export type ConsentDecision = Decision & { permitted: boolean; emergency: boolean };

const CORONA_CONSUMERS = new Set(['N6', 'V4', 'V5']);
const PRESUMED_CONSUMERS = new Set<string>(['V4', 'V5', AMBULANCE_SERVICE_TYPE]);

/**
 * May this holder be asked for this request? One decision, naming the deciding consent record or policy.
 * An objection always wins over the policies: objectors are never included.
 */
export function consentDecision(
  inForce: readonly ConsentChoice[],
  r: ConsentRequest,
  policies: Policies,
): ConsentDecision {
  const choice = decidingChoice(inForce, r);
  const name = r.holder.name;
  if (choice?.state === 'objection') {
    return {
      permitted: false,
      emergency: false,
      code: 'CONSENT_OBJECTION',
      rule: 'LSP-CONSENT-2: a holder the patient objected to is never asked',
      consentRecordId: choice.id,
      explanation: `The patient objected to sharing ${scopeWords(choice, name)}, so ${name} was not asked.`,
    };
  }
  if (choice?.state === 'consent') {
    return {
      permitted: true,
      emergency: false,
      code: 'CONSENT_GIVEN',
      rule: 'LSP-CONSENT-1: a holder is asked when the patient consented to sharing by it',
      consentRecordId: choice.id,
      explanation: `The patient consented to sharing ${scopeWords(choice, name)}.`,
    };
  }
  // No choice: only a policy can let the request through.
  if (
    policies.presumedConsent &&
    r.situation === 'acute' &&
    r.patientCannotConsent &&
    PRESUMED_CONSUMERS.has(r.consumerType)
  ) {
    return {
      permitted: true,
      emergency: true,
      code: 'PRESUMED_CONSENT',
      rule: 'POLICY-PRESUMED: in an emergency a patient who cannot consent and never objected is presumed to consent',
      explanation: `Emergency procedure: the patient cannot consent and never objected to sharing by ${name}, so consent is presumed.`,
    };
  }
  if (r.verbalConsent && r.category === 'WAARNEEMGEGEVENS' && CORONA_CONSUMERS.has(r.consumerType)) {
    if (!policies.coronaOptIn) {
      return noChoice(choice, name, 'The corona opt-in is switched off, so verbal consent on the spot does not count.');
    }
    if (policies.stopButton) {
      return {
        permitted: false,
        emergency: false,
        code: 'CORONA_STOP_BUTTON',
        rule: 'POLICY-CORONA-STOP: with the stop button on, corona opt-in requests return nothing',
        explanation: `The patient gave verbal consent on the spot, but the corona opt-in's stop button is on, so ${name} was not asked.`,
      };
    }
    return {
      permitted: true,
      emergency: false,
      code: 'CORONA_VERBAL_CONSENT',
      rule: 'POLICY-CORONA: a patient with no choice may have the summary shown at the HAP or SEH after verbal consent on the spot',
      explanation: `The patient has made no choice and gave verbal consent on the spot (corona opt-in), so ${name} was asked.`,
    };
  }
  return noChoice(choice, name);
}

function noChoice(choice: ConsentChoice | undefined, name: string, extra = ''): ConsentDecision {
  return choice === undefined
    ? {
        permitted: false,
        emergency: false,
        code: 'NO_CONSENT_RECORD',
        rule: 'LSP-CONSENT-1: a holder is asked only when the patient consented to sharing by it',
        explanation: `The patient has made no choice about sharing by ${name}, so it was not asked.${extra ? ` ${extra}` : ''}`,
      }
    : {
        permitted: false,
        emergency: false,
        code: 'NO_CONSENT_CHOICE',
        rule: 'LSP-CONSENT-1: a holder is asked only when the patient consented to sharing by it',
        consentRecordId: choice.id,
        explanation: `The patient withdrew or has not made a choice about sharing by ${name} (record ${choice.id}), so it was not asked.${extra ? ` ${extra}` : ''}`,
      };
}

/**
 * POLICY-CORONA-INDEX: an index entry a GP practice made for the corona opt-in (a patient with no choice
 * yet) counts only while the opt-in runs. The practices withdraw such entries when it ends (docs/decisions.md 23);
 * this keeps one that a practice failed to withdraw (it was down when told) from making the patient findable.
 */
export function entriesInForce<E extends { reason: string }>(
  entries: readonly E[],
  policies: Pick<Policies, 'coronaOptIn'>,
): E[] {
  return policies.coronaOptIn ? [...entries] : entries.filter((e) => e.reason !== 'corona-opt-in');
}
