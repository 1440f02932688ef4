import { z } from 'zod';
import { Bsn } from './identifiers.js';
import { IsoDate, IsoDateTime } from './people.js';
import { Decision } from './problem.js';

/**
 * The GP's register of disclosures to non-care providers (docs/domain.md section 7, "Medisch beroepsgeheim &
 * privacy"): a municipal team, insurer, occupational doctor or the like asks the GP for data. Such
 * requesters never get data through the switch point (protocol row AP-DENY-1); the GP answers at the
 * source, only on a formal written request, only targeted factual questions, and only with the patient's
 * explicit, informed, targeted consent or a legal ground. Every disclosure is written into the record.
 */

export const RequesterKind = z
  .enum([
    'gemeente',
    'zorgverzekeraar',
    'bedrijfsarts',
    'verzekeringsarts',
    'keuringsarts',
    'politie-justitie',
    'advocaat',
    'overig',
  ])
  .meta({
    id: 'DisclosureRequesterKind',
    description: 'gemeente (municipal social team), zorgverzekeraar (insurer), bedrijfsarts (occupational doctor), …',
  });

export const RequestForm = z.enum(['written', 'oral', 'telephone']).meta({
  id: 'DisclosureRequestForm',
  description: 'How the request arrived; only a formal written request is accepted',
});

/**
 * The GP classifies each question. Only targeted factual questions (a fact, a diagnosis) may be answered;
 * general questions ("send the file") and judging questions (prognosis, work capacity) are refused.
 */
export const QuestionKind = z.enum(['factual', 'diagnosis', 'prognosis', 'judgement', 'general']).meta({
  id: 'DisclosureQuestionKind',
  description: 'factual and diagnosis may be answered; prognosis, judgement and general are refused',
});

export const NewDisclosureRequest = z
  .object({
    form: RequestForm,
    receivedOn: IsoDate,
    requester: z
      .object({
        name: z.string().min(1).max(200).describe('The person who signed the request'),
        organisation: z.string().min(1).max(200),
        kind: RequesterKind,
        address: z.string().max(500).optional(),
      })
      .strict(),
    purpose: z.string().min(1).max(2000).describe('What the data is needed for'),
    questions: z
      .array(z.object({ text: z.string().min(1).max(2000), kind: QuestionKind }).strict())
      .min(1)
      .max(50)
      .describe('The targeted written questions'),
    documentReference: z.string().max(200).optional().describe('Reference of the scanned letter in the document store'),
  })
  .strict()
  .meta({ id: 'NewDisclosureRequest' });
export type NewDisclosureRequest = z.infer<typeof NewDisclosureRequest>;

/** Verbatim question, the GP's classification and whether it may be answered (with the rule). */
export const DisclosureQuestion = z
  .object({ id: z.string(), text: z.string(), kind: QuestionKind, answerable: z.boolean(), assessment: Decision })
  .meta({ id: 'DisclosureQuestion' });

/** The patient's explicit, informed, targeted consent, recorded or attached as the signed form. */
export const DisclosureConsent = z
  .object({
    type: z.literal('consent'),
    explicit: z.boolean().describe('The patient said yes in so many words'),
    informed: z.boolean().describe('The patient knows what will be shared, with whom and why'),
    targeted: z.boolean().describe('The consent covers this request and these questions'),
    givenOn: IsoDate,
    formReference: z.string().max(200).optional().describe('The signed consent form, if attached'),
  })
  .strict();

export const LegalGroundKind = z
  .enum(['statutory-duty', 'representative', 'locum', 'directly-involved', 'conflict-of-duties', 'weighty-interest'])
  .meta({
    id: 'LegalGroundKind',
    description:
      'statutory-duty (wettelijke plicht, e.g. a notifiable infectious disease under the Wet publieke gezondheid), representative (vertegenwoordiger), locum (waarnemer), directly-involved (direct betrokkenen bij de behandeling), conflict-of-duties (conflict van plichten: five conditions), weighty-interest (zwaarwegend belang: weighed against secrecy, without the serious-harm criterion)',
  });

/** One condition as the GP records it: whether it holds, and how (in the GP's own words). */
export const RecordedCondition = z
  .object({
    met: z.boolean(),
    how: z.string().min(1).max(2000).describe('How it holds, or why it does not'),
  })
  .strict()
  .meta({ id: 'RecordedCondition' });

/**
 * The five conditions of a conflict of duties (conflict van plichten), in the LHV page's own words; all
 * must hold, and each is recorded. A missing one counts as not met.
 */
export const CONFLICT_OF_DUTIES_CONDITIONS = {
  consentSought: 'everything was done to obtain the patient’s consent first',
  distressOfConscience: 'the GP is in distress of conscience from keeping the duty of silence',
  noOtherWay: 'there is no other way to solve the problem than breaking secrecy',
  seriousHarmToAnother: 'not breaking secrecy causes serious harm to another',
  harmPreventedNearlyCertain: 'it is near-certain that breaking secrecy prevents or limits that harm',
} as const;
export type ConflictOfDutiesCondition = keyof typeof CONFLICT_OF_DUTIES_CONDITIONS;

export const ConflictOfDutiesConditions = z
  .object(
    Object.fromEntries(
      Object.entries(CONFLICT_OF_DUTIES_CONDITIONS).map(([k, text]) => [
        k,
        RecordedCondition.optional().describe(text),
      ]),
    ) as Record<ConflictOfDutiesCondition, z.ZodOptional<typeof RecordedCondition>>,
  )
  .strict()
  .meta({ id: 'ConflictOfDutiesConditions' });

/** A weighty interest (zwaarwegend belang): what it is, and how it was weighed against the duty of secrecy. */
export const WeightyInterest = z
  .object({
    interest: z.string().max(2000).optional().describe('The weighty interest disclosure serves'),
    weighing: z
      .string()
      .max(2000)
      .optional()
      .describe('How it was weighed against the duty of secrecy, and why it outweighs it'),
    consentSought: RecordedCondition.optional().describe('Whether the patient’s consent was sought first'),
  })
  .strict()
  .meta({ id: 'WeightyInterest' });

export const DisclosureLegalGround = z
  .object({
    type: z.literal('legal-ground'),
    ground: LegalGroundKind,
    explanation: z.string().min(1).max(2000).describe('e.g. the statute and article, or who the representative is'),
    conflictOfDuties: ConflictOfDutiesConditions.optional().describe('Required for conflict-of-duties'),
    weightyInterest: WeightyInterest.optional().describe('Required for weighty-interest'),
  })
  .strict();

export const DisclosureBasis = z
  .discriminatedUnion('type', [DisclosureConsent, DisclosureLegalGround])
  .meta({ id: 'DisclosureBasis' });
export type DisclosureBasis = z.infer<typeof DisclosureBasis>;

export const DisclosureRequestStatus = z
  .enum(['received', 'basis-recorded', 'answered', 'declined'])
  .meta({ id: 'DisclosureRequestStatus' });

/** The GP declines the whole request, even with the patient's consent (DR-DECLINE-1), with a reason. */
export const DisclosureDeclineInput = z
  .object({
    reason: z.string().min(1).max(2000).describe('Why good care argues against answering; kept with the request'),
    declinedBy: z.string().min(1).max(200),
  })
  .strict()
  .meta({ id: 'DisclosureDecline' });

export const DisclosureRequest = NewDisclosureRequest.omit({ questions: true })
  .extend({
    id: z.string(),
    bsn: Bsn,
    status: DisclosureRequestStatus,
    registeredAt: IsoDateTime,
    questions: z.array(DisclosureQuestion),
    basis: DisclosureBasis.optional(),
    basisRecordedAt: IsoDateTime.optional(),
    disclosureId: z.string().optional(),
    declined: DisclosureDeclineInput.extend({ declinedAt: IsoDateTime, decision: Decision })
      .optional()
      .describe('Set when the GP declined the request'),
  })
  .meta({ id: 'DisclosureRequest' });
export type DisclosureRequest = z.infer<typeof DisclosureRequest>;

export const DisclosureAnswerInput = z
  .object({
    medicalNecessity: z
      .string()
      .min(1)
      .max(2000)
      .describe('Why these facts are necessary for the stated purpose (proportionality)'),
    answers: z
      .array(
        z
          .object({
            questionId: z.string(),
            answer: z.string().min(1).max(4000),
            data: z
              .array(z.string().min(1).max(200))
              .min(1)
              .max(50)
              .describe('Which data the answer discloses, e.g. "episode T90.02 Diabetes mellitus type 2"'),
          })
          .strict(),
      )
      .min(1),
    disclosedBy: z.string().min(1).max(200).describe('The GP who answers'),
    patientInformed: z
      .object({ on: IsoDate, how: z.string().min(1).max(200) })
      .strict()
      .optional(),
    patientNotInformed: z
      .object({ reason: z.string().min(1).max(2000) })
      .strict()
      .optional()
      .describe('Why the patient could not be informed (a legal ground needs this or patientInformed: DR-INFORM-1)'),
  })
  .strict()
  .meta({ id: 'DisclosureAnswer' });
export type DisclosureAnswerInput = z.infer<typeof DisclosureAnswerInput>;

/** What was disclosed: an entry in the patient's record (which data, purpose, to whom, when, on what basis). */
export const Disclosure = z
  .object({
    id: z.string(),
    requestId: z.string(),
    bsn: Bsn,
    disclosedAt: IsoDateTime,
    disclosedBy: z.string(),
    to: NewDisclosureRequest.shape.requester,
    purpose: z.string(),
    basis: DisclosureBasis,
    medicalNecessity: z.string(),
    answers: z.array(
      z.object({ questionId: z.string(), question: z.string(), answer: z.string(), data: z.array(z.string()) }),
    ),
    refusedQuestions: z.array(z.object({ questionId: z.string(), question: z.string(), reason: Decision })),
    patientInformed: z.object({ on: IsoDate, how: z.string(), recordedAt: IsoDateTime }).optional(),
    patientNotInformed: z.object({ reason: z.string() }).optional().describe('Why the patient could not be informed'),
  })
  .meta({ id: 'Disclosure' });
export type Disclosure = z.infer<typeof Disclosure>;

export const PatientInformed = z
  .object({ on: IsoDate, how: z.string().min(1).max(200) })
  .strict()
  .meta({ id: 'PatientInformed' });
