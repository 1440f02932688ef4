import { z } from 'zod';
import { ApplicationId, Bsn, DataCategory, OrganisationType, Ura } from './identifiers.js';
import { IsoDate, IsoDateTime, Professional } from './people.js';
import { Cio, Dispense } from './medication.js';
import { ProfessionalSummary } from './gp-record.js';
import { Decision } from './problem.js';

/** The wire a connected system speaks: Schakel's JSON, AORTA's HL7v3 in SOAP, or FHIR R4 (the next generation). */
export const Wire = z.enum(['json', 'hl7v3', 'fhir']).meta({ id: 'Wire' });
export type Wire = z.infer<typeof Wire>;
/** A stored wire read back: one the list knows, or json (what every system spoke before the column was there). */
export const wireOf = (stored: string): Wire =>
  (Wire.options as readonly string[]).includes(stored) ? (stored as Wire) : 'json';

/** Address book: the organisations and systems connected to the switch point. */
export const SystemRegistration = z
  .object({
    ura: Ura,
    organisationName: z.string().min(1).max(200),
    organisationType: OrganisationType,
    baseUrl: z
      .url({ protocol: /^https$/ })
      .optional()
      .describe('Where the switch point reaches this system (HTTPS, mutual TLS); only systems that hold data need one'),
    provides: z.array(DataCategory).max(20).default([]).describe('Data categories this system can be asked for'),
    wire: Wire.default('json').describe(
      'How the switch point asks this system as a source: its JSON legs (/lsp/...), HL7v3 over SOAP (AORTA; the base URL is the endpoint), or FHIR R4 searches (the base URL is its FHIR base)',
    ),
  })
  .strict()
  .meta({ id: 'SystemRegistration' });
export type SystemRegistration = z.input<typeof SystemRegistration>;

export const SystemEntry = z
  .object({
    applicationId: ApplicationId,
    ura: Ura,
    organisationName: z.string(),
    organisationType: OrganisationType,
    baseUrl: z.string().nullable(),
    provides: z.array(DataCategory),
    wire: Wire,
    registeredAt: IsoDateTime,
  })
  .meta({ id: 'SystemEntry' });
export type SystemEntry = z.infer<typeof SystemEntry>;

/** Reference index (verwijsindex): which system holds which category of data on which BSN. */
export const IndexRegistration = z
  .object({ bsn: Bsn, category: DataCategory, applicationId: ApplicationId })
  .strict()
  .meta({ id: 'IndexRegistration', description: 'MFMT_IN002101 register / MFMT_IN002103 deregister' });
export type IndexRegistration = z.infer<typeof IndexRegistration>;

/**
 * Why a holder registered: the patient's consent (the classic LSP), or the corona opt-in, under which a
 * GP practice made the summary of its patients with no choice yet findable itself, so that the covering
 * GP could ask for verbal consent on the spot (docs/decisions.md 23).
 */
export const IndexReason = z.enum(['consent', 'corona-opt-in']).meta({
  id: 'IndexReason',
  description:
    'Why the holder registered: the patient’s consent, or the corona opt-in (a patient with no choice yet; only findable while the opt-in runs)',
});
export type IndexReason = z.infer<typeof IndexReason>;
/** The body of MFMT_IN002101: optional, registering for the patient's consent when left out. */
export const IndexRegistrationBody = z
  .object({ reason: IndexReason.default('consent') })
  .strict()
  .meta({ id: 'IndexRegistrationBody' });

export const IndexEntry = IndexRegistration.extend({
  ura: Ura,
  organisationName: z.string(),
  registeredAt: IsoDateTime,
  reason: IndexReason,
}).meta({ id: 'IndexEntry' });
export type IndexEntry = z.infer<typeof IndexEntry>;

/** Consent per (BSN, data holder): opt-in, objection (bezwaar) or no choice yet. */
export const ConsentState = z.enum(['consent', 'objection', 'no-choice']).meta({ id: 'ConsentState' });
export type ConsentState = z.infer<typeof ConsentState>;
export const ConsentChannel = z.enum(['holder-system', 'paper', 'portal']).meta({ id: 'ConsentChannel' });

const CategoryOrAll = z.union([DataCategory, z.literal('*')]).describe('A data category, or * for all');
const ConsumerOrAll = z
  .union([OrganisationType, z.literal('*')])
  .describe('The consumer category (organisation type), or * for all');

/** A holder records a choice about itself, for all data or one category, for all consumers or one category. */
export const ConsentInput = z
  .object({
    state: ConsentState,
    recordedBy: ApplicationId.describe('The system that records the choice'),
    channel: ConsentChannel.default('holder-system'),
    category: CategoryOrAll.default('*'),
    consumerType: ConsumerOrAll.default('*'),
  })
  .strict()
  .meta({ id: 'ConsentChoice' });
export type ConsentInput = z.input<typeof ConsentInput>;

/** Which holders a choice is about: a named organisation (URA), an organisation category, or all. */
export const ConsentHolder = z
  .union([
    z.object({ ura: Ura }).strict(),
    z.object({ organisationType: OrganisationType }).strict(),
    z.object({ all: z.literal(true) }).strict(),
  ])
  .meta({ id: 'ConsentHolder' });
export type ConsentHolder = z.infer<typeof ConsentHolder>;

export const ConsentRecord = z
  .object({
    id: z.number().int(),
    bsn: Bsn,
    state: ConsentState,
    holder: ConsentHolder,
    category: CategoryOrAll,
    consumerType: ConsumerOrAll,
    recordedBy: z.string().describe('The system (application id) or "patient" (portal) that recorded it'),
    channel: ConsentChannel,
    recordedAt: IsoDateTime,
  })
  .meta({ id: 'ConsentRecord' });
export type ConsentRecord = z.infer<typeof ConsentRecord>;

/** A choice the patient made in the portal, waiting for the named holder to process it. */
export const ConsentRequest = z
  .object({
    id: z.number().int(),
    bsn: Bsn,
    holderUra: Ura,
    state: ConsentState,
    category: CategoryOrAll,
    consumerType: ConsumerOrAll,
    requestedAt: IsoDateTime,
    status: z.enum(['pending', 'processed', 'declined']),
    processedAt: IsoDateTime.nullable(),
    consentRecordId: z.number().int().nullable(),
  })
  .meta({ id: 'ConsentRequest' });
export type ConsentRequest = z.infer<typeof ConsentRequest>;

/** What every query to the switch point says about who asks, why, and in which situation. */
const queryBase = {
  bsn: Bsn,
  requester: z
    .object({
      applicationId: ApplicationId.describe(
        'The requesting system, as in the address book (and its client certificate)',
      ),
      professional: Professional.describe('The acting professional (who signed the assertion)'),
      responsible: Professional.optional().describe(
        'The responsible professional, when an assistant acts on their behalf (mandating)',
      ),
    })
    .strict(),
  treatmentRelation: z.boolean().describe('The requester asserts a treatment relation with the patient'),
  situation: z
    .enum(['regular', 'acute'])
    .default('regular')
    .describe('regular (planned) care, or acute care under the acute-care rules'),
  verbalConsent: z
    .boolean()
    .default(false)
    .describe('Corona opt-in: the patient gave verbal consent on the spot (recorded with this request)'),
  patientCannotConsent: z
    .boolean()
    .default(false)
    .describe('Emergency: the patient cannot consent (e.g. unconscious); presumed consent may apply'),
};

/** QURX_IN990011NL as the requesting system sends it to the switch point. */
export const MedicationQuery = z
  .object({
    ...queryBase,
    from: IsoDate.optional().describe('Only dispenses on or after this date'),
    to: IsoDate.optional().describe('Only dispenses on or before this date'),
    latestPerProduct: z.boolean().optional().describe('Only the most recent dispense of each product'),
  })
  .strict()
  .meta({ id: 'MedicationQuery' });
export type MedicationQuery = z.input<typeof MedicationQuery>;

/** QUPC_IN990001NL: the professional summary (waarneemgegevens) from the patient's GP. */
export const SummaryQuery = z.object(queryBase).strict().meta({ id: 'SummaryQuery' });
export type SummaryQuery = z.input<typeof SummaryQuery>;

export const SourceStatus = z.enum(['ok', 'no-data', 'refused', 'timeout', 'unreachable', 'error']).meta({
  id: 'SourceStatus',
  description:
    'What came back from one source in a batch; refused: not asked (contacted false), or the holder declined to share despite consent (contacted true)',
});
export type SourceStatus = z.infer<typeof SourceStatus>;

export const BatchSourceEntry = z
  .object({
    applicationId: ApplicationId,
    ura: Ura,
    organisationName: z.string(),
    organisationType: OrganisationType,
    status: SourceStatus,
    decision: Decision.describe('Why this source was or was not asked, or why it declined (HOLDER_DECLINED)'),
    contacted: z.boolean(),
    durationMs: z.number().optional(),
    error: z.object({ code: z.string(), detail: z.string() }).optional(),
    dispenses: z.array(Dispense).optional(),
    contraIndications: z.array(Cio).optional(),
    summary: ProfessionalSummary.optional(),
  })
  .meta({ id: 'BatchSourceEntry' });
export type BatchSourceEntry = z.infer<typeof BatchSourceEntry>;

export const QueryBatch = z
  .object({
    interaction: z.enum(['QURX_IN990013NL', 'QUPC_IN990002NL']),
    batch: z.literal('MCCI_IN200101'),
    batchId: z.string(),
    aortaId: z.string(),
    bsn: Bsn,
    category: DataCategory,
    complete: z.boolean().describe('True when every source that was asked answered'),
    sources: z.array(BatchSourceEntry),
  })
  .meta({
    id: 'QueryBatch',
    description: 'The sources’ answers (QURX_IN990013NL or QUPC_IN990002NL) collected in one MCCI_IN200101 batch',
  });
export type QueryBatch = z.infer<typeof QueryBatch>;
/** Kept for readability at call sites: a medication query answers a QueryBatch. */
export const MedicationBatch = QueryBatch;
export type MedicationBatch = QueryBatch;

export const AccessLogEntry = z
  .object({
    id: z.number().int(),
    at: IsoDateTime,
    interaction: z.string(),
    initialRequestId: z.string(),
    requestId: z.string(),
    bsn: z.string().nullable(),
    category: z.string().nullable(),
    clientSubject: z.string().nullable().describe('The client certificate the request came with'),
    requesterApplicationId: z.string().nullable(),
    requesterUra: z.string().nullable(),
    actingUzi: z.string().nullable(),
    actingRole: z.string().nullable(),
    responsibleUzi: z.string().nullable(),
    situation: z.string().nullable(),
    emergency: z.boolean().describe('An emergency procedure (presumed consent) decided the outcome'),
    outcome: z.enum(['permitted', 'partial', 'refused', 'failed']),
    code: z.string(),
    explanation: z.string(),
    sources: z.array(z.object({ applicationId: z.string(), status: SourceStatus, code: z.string() })),
  })
  .meta({ id: 'AccessLogEntry', description: 'NEN 7513 style entry; holds no clinical content' });
export type AccessLogEntry = z.infer<typeof AccessLogEntry>;
