import {
  CONFLICT_OF_DUTIES_CONDITIONS,
  type ConflictOfDutiesCondition,
  type Decision,
  type DisclosureAnswerInput,
  type DisclosureBasis,
  type NewDisclosureRequest,
} from '@schakel/contracts';

/**
 * The rules of the disclosure register for non-care providers (docs/domain.md section 7; KNMG guideline on
 * medical confidentiality, "Medisch beroepsgeheim & privacy"). Each rule has a stable id and each outcome a
 * stable code, so a refusal can be explained and tested.
 */
export type RuleOutcome = Decision & { permitted: boolean };

export const RULES = {
  form: 'DR-FORM-1: only a formal written request (requester, organisation, purpose, targeted questions) is accepted',
  question:
    'DR-QUESTION-1: only targeted factual questions are answered (a diagnosis may be given); general and judging questions, such as a prognosis, are not',
  basis:
    'DR-BASIS-1: data is disclosed only with the patient’s explicit, informed and targeted consent, or on a recorded legal ground',
  conflict:
    'DR-BASIS-2: a conflict of duties (conflict van plichten) is a ground only when all five of its conditions hold, each recorded: consent sought first; distress of conscience from the duty of silence; no other way; not breaking secrecy causes serious harm to another; near-certain that breaking it prevents or limits that harm',
  weighty:
    'DR-BASIS-3: a weighty interest (zwaarwegend belang) is a ground only when it is named and recorded as weighed against the duty of secrecy (no serious-harm criterion), and the patient’s consent was sought first',
  data: 'DR-DATA-1: only relevant, necessary data is given, and the disclosure names what is given (the data of each answer, and why it is necessary)',
  inform:
    'DR-INFORM-1: the patient is informed where possible; on a legal ground the disclosure records that and how the patient was informed, or why that was not possible',
  decline:
    'DR-DECLINE-1: consent does not oblige the GP to disclose; the GP may decline a request as a whole for good care (goed hulpverlenerschap), with a reason',
} as const;

export function declined(reason: string): RuleOutcome {
  return {
    permitted: false,
    code: 'GP_DECLINED',
    rule: RULES.decline,
    explanation: `The GP declined the request: ${reason}`,
  };
}

export function checkForm(form: NewDisclosureRequest['form']): RuleOutcome {
  if (form === 'written')
    return {
      permitted: true,
      code: 'WRITTEN_REQUEST',
      rule: RULES.form,
      explanation: 'The request was made in writing.',
    };
  return {
    permitted: false,
    code: 'REQUEST_NOT_WRITTEN',
    rule: RULES.form,
    explanation: `A ${form} request is not accepted: ask the requester for a formal written request stating who asks, for which organisation, for what purpose, with targeted questions.`,
  };
}

export function assessQuestion(kind: NewDisclosureRequest['questions'][number]['kind']): RuleOutcome {
  switch (kind) {
    case 'factual':
    case 'diagnosis':
      return {
        permitted: true,
        code: 'TARGETED_FACTUAL_QUESTION',
        rule: RULES.question,
        explanation: 'A targeted factual question: it may be answered with relevant facts.',
      };
    case 'prognosis':
      return {
        permitted: false,
        code: 'PROGNOSIS_NOT_ANSWERED',
        rule: RULES.question,
        explanation: 'A question about the prognosis asks for a judgement, not a fact; it is not answered.',
      };
    case 'judgement':
      return {
        permitted: false,
        code: 'JUDGEMENT_NOT_ANSWERED',
        rule: RULES.question,
        explanation:
          'A judging question (e.g. about capacity for work or benefits) is not the treating GP’s to answer.',
      };
    case 'general':
      return {
        permitted: false,
        code: 'GENERAL_QUESTION_NOT_ANSWERED',
        rule: RULES.question,
        explanation: 'A general question (e.g. “send the file”) is not targeted; only targeted questions are answered.',
      };
  }
}

export function checkBasis(basis: DisclosureBasis): RuleOutcome {
  if (basis.type === 'consent') {
    const missing = (['explicit', 'informed', 'targeted'] as const).filter((k) => !basis[k]);
    if (missing.length > 0) {
      return {
        permitted: false,
        code: 'CONSENT_NOT_VALID',
        rule: RULES.basis,
        explanation: `The consent is not ${missing.join(', ')}; it must be explicit, informed and targeted.`,
      };
    }
    return {
      permitted: true,
      code: 'CONSENT_RECORDED',
      rule: RULES.basis,
      explanation: `Explicit, informed, targeted consent given on ${basis.givenOn}${basis.formReference !== undefined ? ` (form ${basis.formReference})` : ''}.`,
    };
  }
  if (basis.ground === 'conflict-of-duties') {
    const c = basis.conflictOfDuties ?? {};
    const unmet = (Object.keys(CONFLICT_OF_DUTIES_CONDITIONS) as ConflictOfDutiesCondition[]).filter(
      (k) => c[k]?.met !== true,
    );
    if (unmet.length > 0) {
      return {
        permitted: false,
        code: 'CONFLICT_OF_DUTIES_CONDITIONS_UNMET',
        rule: RULES.conflict,
        explanation: `Not met or not recorded: ${unmet.map((k) => `${k} (${CONFLICT_OF_DUTIES_CONDITIONS[k]})`).join('; ')}.`,
      };
    }
    return {
      permitted: true,
      code: 'CONFLICT_OF_DUTIES_RECORDED',
      rule: RULES.conflict,
      explanation: `Conflict of duties: all five conditions hold and are recorded. ${basis.explanation}`,
    };
  }
  if (basis.ground === 'weighty-interest') {
    const w = basis.weightyInterest;
    const missing = [
      ...(w?.interest === undefined || w.interest.trim() === '' ? ['the weighty interest is not named'] : []),
      ...(w?.weighing === undefined || w.weighing.trim() === ''
        ? ['its weighing against the duty of secrecy is not recorded']
        : []),
      ...(w?.consentSought?.met !== true ? ['the patient’s consent was not sought first (or it is not recorded)'] : []),
    ];
    if (missing.length > 0) {
      return {
        permitted: false,
        code: 'WEIGHTY_INTEREST_NOT_WEIGHED',
        rule: RULES.weighty,
        explanation: `Not a ground yet: ${missing.join('; ')}.`,
      };
    }
    return {
      permitted: true,
      code: 'WEIGHTY_INTEREST_RECORDED',
      rule: RULES.weighty,
      explanation: `Weighty interest: ${w?.interest ?? ''}; weighed against secrecy: ${w?.weighing ?? ''}`,
    };
  }
  return {
    permitted: true,
    code: 'LEGAL_GROUND_RECORDED',
    rule: RULES.basis,
    explanation: `Legal ground ${basis.ground}: ${basis.explanation}`,
  };
}

export const NO_BASIS: RuleOutcome = {
  permitted: false,
  code: 'NO_CONSENT_OR_LEGAL_GROUND',
  rule: RULES.basis,
  explanation:
    'Neither the patient’s consent nor a legal ground is recorded for this request; nothing may be disclosed.',
};

/**
 * On a legal ground the patient did not consent to this disclosure, so the disclosure records that the
 * patient was informed (and how), or why that was not possible (DR-INFORM-1). With consent they know.
 */
export function checkPatientInformed(
  basis: DisclosureBasis,
  answer: Pick<DisclosureAnswerInput, 'patientInformed' | 'patientNotInformed'>,
): RuleOutcome {
  if (basis.type === 'consent' || answer.patientInformed !== undefined || answer.patientNotInformed !== undefined)
    return {
      permitted: true,
      code: 'PATIENT_INFORMATION_RECORDED',
      rule: RULES.inform,
      explanation:
        basis.type === 'consent'
          ? 'The patient consented to this disclosure.'
          : answer.patientInformed !== undefined
            ? `The patient was informed on ${answer.patientInformed.on} (${answer.patientInformed.how}).`
            : `The patient could not be informed: ${answer.patientNotInformed?.reason ?? ''}`,
    };
  return {
    permitted: false,
    code: 'PATIENT_INFORMATION_NOT_RECORDED',
    rule: RULES.inform,
    explanation: `On legal ground ${basis.ground} the disclosure must record that and how the patient was informed (patientInformed), or why that was not possible (patientNotInformed).`,
  };
}
