import { z } from 'zod';
import { Bsn, OrganisationType, Ura } from './identifiers.js';
import { Decision } from './problem.js';
import { IsoDate, IsoDateTime, Prescriber, Professional } from './people.js';
import { Product, Quantity } from './medication.js';

/**
 * The GP record (HIS) and the professional summary (professionele samenvatting, huisartswaarneemgegevens)
 * made from it for QUPC_IN990001NL. Shapes follow the HL7v3 professional summary (episodes with ICPC,
 * SOEP journal lines, measurements, medication, allergies, contra-indications, notes for the covering GP,
 * behandelgrenzen) so an HL7v3 or FHIR rendering can follow without remodelling.
 */

/** ICPC-1NL code: chapter letter, two digits, optional Dutch sub-code (T90.02 diabetes mellitus type 2). */
export const IcpcCode = z
  .string()
  .regex(/^[ABDFHKLNPRSTUWXYZ]\d{2}(\.\d{2})?$/, 'ICPC-1NL code, e.g. K86 or T90.02')
  .meta({ id: 'IcpcCode', description: 'ICPC-1NL code (International Classification of Primary Care, Dutch edition)' });
export const Icpc = z
  .object({ code: IcpcCode, title: z.string().min(1).max(200) })
  .strict()
  .meta({ id: 'Icpc' });
export type Icpc = z.infer<typeof Icpc>;

/**
 * Every item of the record can be shielded (afgeschermd) at the patient's request. Shielded items stay in
 * the GP's own record but are never released, neither in a summary nor in a disclosure (docs/domain.md section 2).
 * Shielding an episode shields what is linked to it (journal lines, measurements, prescriptions).
 */
const shielding = {
  shielded: z.boolean().default(false).describe('Shielded at the patient’s request: never released'),
};
const recorded = { id: z.string(), bsn: Bsn, shielded: z.boolean(), recordedAt: IsoDateTime };
const episodeLink = { episodeId: z.string().optional().describe('The episode this item belongs to') };

export const EpisodeStatus = z.enum(['open', 'closed']).meta({ id: 'EpisodeStatus' });
export const NewEpisode = z
  .object({
    title: z.string().min(1).max(200).describe('The episode name the GP uses, e.g. "Hypertensie"'),
    icpc: Icpc,
    startDate: IsoDate,
    endDate: IsoDate.optional().describe('Set when the episode is closed'),
    attention: z.boolean().default(false).describe('Attention flag (attentiewaarde): shown prominently'),
    ...shielding,
  })
  .strict()
  .meta({ id: 'NewEpisode' });
export const Episode = NewEpisode.extend({ ...recorded, attention: z.boolean(), status: EpisodeStatus }).meta({
  id: 'Episode',
});
export type Episode = z.infer<typeof Episode>;
export const EpisodeChange = z
  .object({
    endDate: IsoDate.nullable().optional(),
    title: z.string().min(1).max(200).optional(),
    attention: z.boolean().optional(),
  })
  .strict()
  .meta({
    id: 'EpisodeChange',
    description: 'Close (endDate) or reopen (endDate: null) an episode, rename it, flag it',
  });

/** A journal entry of one contact in SOEP form (subjectief, objectief, evaluatie, plan). */
export const NewJournalEntry = z
  .object({
    date: IsoDate,
    ...episodeLink,
    icpc: Icpc.optional().describe('The ICPC code of the evaluation'),
    contactType: z
      .enum(['consult', 'visite', 'telefonisch', 'e-consult', 'overig'])
      .default('consult')
      .describe('Kind of contact'),
    author: z.string().min(1).max(200).optional(),
    S: z.string().max(4000).optional().describe('Subjectief: what the patient tells'),
    O: z.string().max(4000).optional().describe('Objectief: what the GP finds'),
    E: z.string().max(4000).optional().describe('Evaluatie: the GP’s assessment'),
    P: z.string().max(4000).optional().describe('Plan: what is agreed and done'),
    ...shielding,
  })
  .strict()
  .refine((j) => [j.S, j.O, j.E, j.P].some((v) => v !== undefined && v.length > 0), {
    error: 'at least one of S, O, E, P',
    path: ['S'],
  })
  .meta({ id: 'NewJournalEntry' });
export const JournalEntry = z
  .object({
    ...recorded,
    date: IsoDate,
    ...episodeLink,
    icpc: Icpc.optional(),
    contactType: z.string(),
    author: z.string().optional(),
    S: z.string().optional(),
    O: z.string().optional(),
    E: z.string().optional(),
    P: z.string().optional(),
  })
  .meta({ id: 'JournalEntry' });
export type JournalEntry = z.infer<typeof JournalEntry>;

/** A measurement or result (bepaling): blood pressure, HbA1c, eGFR, weight... LOINC where known. */
export const NewMeasurement = z
  .object({
    date: IsoDate,
    ...episodeLink,
    name: z.string().min(1).max(200).describe('e.g. "RR systolisch", "HbA1c"'),
    loinc: z
      .string()
      .regex(/^\d{1,7}-\d$/, 'LOINC code, e.g. 8480-6')
      .optional(),
    value: z.union([z.number(), z.string().min(1).max(200)]),
    unit: z.string().max(50).optional(),
    referenceRange: z.string().max(100).optional(),
    ...shielding,
  })
  .strict()
  .meta({ id: 'NewMeasurement' });
export const Measurement = NewMeasurement.extend(recorded).meta({ id: 'Measurement' });
export type Measurement = z.infer<typeof Measurement>;

/** A GP prescription (voorschrift); current while it has no end date or ends today or later. */
export const NewPrescription = z
  .object({
    ...episodeLink,
    product: Product,
    amount: Quantity.optional(),
    dosageInstruction: z.string().min(1).max(500),
    startDate: IsoDate,
    endDate: IsoDate.optional(),
    prescriber: Prescriber,
    ...shielding,
  })
  .strict()
  .meta({ id: 'NewPrescription' });
export const Prescription = NewPrescription.extend(recorded).meta({ id: 'Prescription' });
export type Prescription = z.infer<typeof Prescription>;

export const NewAllergy = z
  .object({
    kind: z.enum(['allergy', 'intolerance']).describe('Allergie or intolerantie'),
    substance: z.string().min(1).max(200),
    atc: z
      .string()
      .regex(/^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$/, 'ATC code or group, e.g. J01C')
      .optional(),
    reaction: z.string().max(500).optional(),
    severity: z.enum(['mild', 'moderate', 'severe']).optional(),
    recordedOn: IsoDate,
    ...shielding,
  })
  .strict()
  .meta({ id: 'NewAllergy' });
export const Allergy = NewAllergy.extend(recorded).meta({ id: 'Allergy' });
export type Allergy = z.infer<typeof Allergy>;

/** A contra-indication (contra-indicatie), e.g. reduced kidney function, pregnancy. */
export const NewContraIndication = z
  .object({ description: z.string().min(1).max(300), icpc: Icpc.optional(), recordedOn: IsoDate, ...shielding })
  .strict()
  .meta({ id: 'NewContraIndication' });
export const ContraIndication = NewContraIndication.extend(recorded).meta({ id: 'ContraIndication' });
export type ContraIndication = z.infer<typeof ContraIndication>;

/** A note for the covering GP (waarneembericht / aandachtspunt voor de waarnemer). */
export const NewCoveringNote = z
  .object({ text: z.string().min(1).max(2000), recordedOn: IsoDate, validUntil: IsoDate.optional(), ...shielding })
  .strict()
  .meta({ id: 'NewCoveringNote' });
export const CoveringNote = NewCoveringNote.extend(recorded).meta({ id: 'CoveringNote' });
export type CoveringNote = z.infer<typeof CoveringNote>;

/** Behandelgrenzen (treatment limits) the acute chain must see. */
export const TREATMENT_LIMITS = {
  'niet-reanimeren': 'do not resuscitate',
  'geen-ziekenhuisopname': 'no hospital admission',
  'geen-ambulancevervoer': 'no ambulance transport',
  'geen-ic-opname': 'no intensive-care admission',
  'geen-beademing': 'no mechanical ventilation',
} as const;
export const TreatmentLimitKind = z
  .enum(Object.keys(TREATMENT_LIMITS) as [keyof typeof TREATMENT_LIMITS, ...(keyof typeof TREATMENT_LIMITS)[]])
  .meta({
    id: 'TreatmentLimitKind',
    description: 'Behandelgrens: niet-reanimeren (do not resuscitate), geen-ziekenhuisopname, geen-ambulancevervoer, …',
  });
export const NewTreatmentLimit = z
  .object({
    kind: TreatmentLimitKind,
    agreedOn: IsoDate,
    agreedWith: z.string().max(200).optional().describe('The patient or representative it was agreed with'),
    note: z.string().max(1000).optional(),
    ...shielding,
  })
  .strict()
  .meta({ id: 'NewTreatmentLimit' });
/** A treatment limit as the acute chain reports it back in an observation report (it cannot be shielded there). */
export const ReportedTreatmentLimit = NewTreatmentLimit.omit({ shielded: true }).meta({ id: 'ReportedTreatmentLimit' });
/** Where a limit in the summary came from when the GP did not record it: a processed observation report. */
const ReportedIn = z
  .object({
    messageId: z.uuid(),
    organisationName: z.string(),
    at: IsoDateTime.describe('The encounter the report is about'),
  })
  .describe(
    'Set when the limit came with a processed observation report from the acute chain, not from the GP’s own record',
  );
export const TreatmentLimit = NewTreatmentLimit.extend({ ...recorded, reportedIn: ReportedIn.optional() }).meta({
  id: 'TreatmentLimit',
});
export type TreatmentLimit = z.infer<typeof TreatmentLimit>;

/**
 * Feedback from the acute chain ("Met spoed beschikbaar": what the HAP, SEH or ambulance found and did is
 * available again next time): an observation report the GP received and processed, as the next summary
 * passes it on. The encounter has the shape of ObservationEncounter (observation-report.ts, which builds on
 * this file).
 */
export const AcuteCareFeedback = z
  .object({
    messageId: z.uuid(),
    from: z.object({ organisationName: z.string(), organisationType: z.string() }),
    author: Professional,
    situation: z.enum(['regular', 'acute']),
    encounter: z.object({
      at: IsoDateTime,
      complaint: z.string(),
      findings: z.string().optional(),
      actions: z.string(),
      episodeProposal: Icpc.optional(),
      handover: z.string().optional(),
    }),
    processedAt: IsoDateTime.describe('When the patient’s own GP processed it into the record'),
  })
  .meta({ id: 'AcuteCareFeedback' });
export type AcuteCareFeedback = z.infer<typeof AcuteCareFeedback>;

/** A Dutch address as the GP registers it (postcode 1234 AB). */
export const Address = z
  .object({
    street: z.string().min(1).max(200),
    houseNumber: z.string().min(1).max(20),
    postalCode: z.string().regex(/^[1-9]\d{3} ?[A-Z]{2}$/, 'Dutch postcode, e.g. 1234 AB'),
    city: z.string().min(1).max(100),
  })
  .strict()
  .meta({ id: 'Address' });
export type Address = z.infer<typeof Address>;

/** The GP practice a summary comes from. */
const Practice = z.object({ ura: Ura, name: z.string() });

/**
 * The professional summary (QUPC_IN990002NL content): open episodes, the journal of the last months,
 * recent measurements, current medication, allergies, contra-indications, notes and treatment limits.
 * Never holds a shielded item.
 */
export const ProfessionalSummary = z
  .object({
    bsn: Bsn,
    patient: z.object({ name: z.string(), birthDate: IsoDate, address: Address.optional() }).optional(),
    practice: Practice,
    generatedAt: IsoDateTime,
    journalFrom: IsoDate.describe('The journal and measurements cover this date up to today'),
    openEpisodes: z.array(Episode),
    journal: z.array(JournalEntry).describe('Newest first'),
    measurements: z.array(Measurement).describe('In the period, plus the latest of each kind before it; newest first'),
    medication: z.array(Prescription).describe('Current prescriptions'),
    allergies: z.array(Allergy),
    contraIndications: z.array(ContraIndication),
    coveringNotes: z.array(CoveringNote),
    treatmentLimits: z
      .array(TreatmentLimit)
      .describe('The GP’s own, and those that came with processed observation reports (reportedIn)'),
    acuteCareFeedback: z
      .array(AcuteCareFeedback)
      .describe('Processed observation reports from the HAP, SEH and ambulance of the journal period; newest first'),
  })
  .meta({ id: 'ProfessionalSummary' });
export type ProfessionalSummary = z.infer<typeof ProfessionalSummary>;

/** What the switch point asks a GP system (the leg LSP -> HIS of QUPC_IN990001NL). */
export const SourceSummaryQuery = z
  .object({
    bsn: Bsn,
    requester: z.object({
      ura: Ura,
      organisationName: z.string(),
      organisationType: OrganisationType.optional(),
      professional: Professional,
    }),
  })
  .strict()
  .meta({ id: 'SourceSummaryQuery' });
export type SourceSummaryQuery = z.infer<typeof SourceSummaryQuery>;

export const SourceSummaryAnswer = z
  .object({
    interaction: z.literal('QUPC_IN990002NL'),
    summary: ProfessionalSummary.nullable().describe(
      'null when the practice does not know the patient, or declines to share',
    ),
    declined: Decision.optional().describe(
      'The GP declines to share despite consent (goed hulpverlenerschap), with the rule and the reason: the batch shows this source as refused with this decision',
    ),
  })
  .meta({ id: 'SourceSummaryAnswer' });
export type SourceSummaryAnswer = z.infer<typeof SourceSummaryAnswer>;

/**
 * The GP's decision not to share a patient's summary despite consent (consent never obliges a holder to
 * share: good care may argue against it). For every requester, a named organisation (URA) or a kind of
 * organisation, with the reason, which the requester sees in the batch.
 */
export const SharingScope = z
  .union([
    z.object({ all: z.literal(true) }).strict(),
    z.object({ ura: Ura }).strict(),
    z.object({ organisationType: OrganisationType }).strict(),
  ])
  .meta({
    id: 'SharingScope',
    description:
      '{ all: true } declines every request; { ura } one requesting organisation; { organisationType } one kind (e.g. V4, the SEH of a hospital)',
  });
export const NewSharingDecline = z
  .object({
    scope: SharingScope,
    reason: z.string().min(1).max(1000).describe('Why, as the requester will read it'),
    decidedBy: z.string().min(1).max(200).describe('The GP who decided'),
  })
  .strict()
  .meta({ id: 'NewSharingDecline' });
export const SharingDecline = NewSharingDecline.extend({
  id: z.string(),
  bsn: Bsn,
  decidedAt: IsoDateTime,
  withdrawnAt: IsoDateTime.nullable(),
}).meta({ id: 'SharingDecline' });
export type SharingDecline = z.infer<typeof SharingDecline>;
