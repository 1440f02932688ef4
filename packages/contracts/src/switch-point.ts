import { z } from 'zod';
import { ApplicationId, Bsn, DataCategory, OrganisationType, Ura } from './identifiers.js';
import { IsoDate, IsoDateTime, Professional } from './people.js';
import { Dispense } from './medication.js';
import { Decision } from './problem.js';

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

export const IndexEntry = IndexRegistration.extend({
  ura: Ura,
  organisationName: z.string(),
  registeredAt: IsoDateTime,
}).meta({ id: 'IndexEntry' });
export type IndexEntry = z.infer<typeof IndexEntry>;

/** Consent per (BSN, data holder): opt-in, objection (bezwaar) or no choice yet. */
export const ConsentState = z.enum(['consent', 'objection', 'no-choice']).meta({ id: 'ConsentState' });
export type ConsentState = z.infer<typeof ConsentState>;
export const ConsentChannel = z.enum(['holder-system', 'paper', 'portal']).meta({ id: 'ConsentChannel' });

export const ConsentInput = z
  .object({
    state: ConsentState,
    recordedBy: ApplicationId.describe('The system that records the choice'),
    channel: ConsentChannel.default('holder-system'),
  })
  .strict()
  .meta({ id: 'ConsentChoice' });
export type ConsentInput = z.input<typeof ConsentInput>;

export const ConsentRecord = z
  .object({
    id: z.number().int(),
    bsn: Bsn,
    holderUra: Ura,
    state: ConsentState,
    recordedBy: ApplicationId,
    channel: ConsentChannel,
    recordedAt: IsoDateTime,
  })
  .meta({ id: 'ConsentRecord' });
export type ConsentRecord = z.infer<typeof ConsentRecord>;

/** QURX_IN990011NL as the requesting system sends it to the switch point. */
export const MedicationQuery = z
  .object({
    bsn: Bsn,
    requester: z
      .object({
        applicationId: ApplicationId.describe('The requesting system, as in the address book'),
        professional: Professional.describe('The acting professional'),
        responsible: Professional.optional().describe('The responsible professional, when acting on their behalf'),
      })
      .strict(),
    treatmentRelation: z.boolean().describe('The requester asserts a treatment relation with the patient'),
    from: IsoDate.optional().describe('Only dispenses on or after this date'),
    to: IsoDate.optional().describe('Only dispenses on or before this date'),
  })
  .strict()
  .meta({ id: 'MedicationQuery' });
export type MedicationQuery = z.infer<typeof MedicationQuery>;

export const SourceStatus = z
  .enum(['ok', 'no-data', 'refused', 'timeout', 'unreachable', 'error'])
  .meta({ id: 'SourceStatus', description: 'What came back from one source in a batch' });
export type SourceStatus = z.infer<typeof SourceStatus>;


export const BatchSourceEntry = z
  .object({
    applicationId: ApplicationId,
    ura: Ura,
    organisationName: z.string(),
    organisationType: OrganisationType,
    status: SourceStatus,
    decision: Decision.describe('Why this source was or was not asked'),
    contacted: z.boolean(),
    durationMs: z.number().optional(),
    error: z.object({ code: z.string(), detail: z.string() }).optional(),
    dispenses: z.array(Dispense).optional(),
  })
  .meta({ id: 'BatchSourceEntry' });
export type BatchSourceEntry = z.infer<typeof BatchSourceEntry>;

export const MedicationBatch = z
  .object({
    interaction: z.literal('QURX_IN990013NL'),
    batch: z.literal('MCCI_IN200101'),
    batchId: z.string(),
    aortaId: z.string(),
    bsn: Bsn,
    category: DataCategory,
    complete: z.boolean().describe('True when every source that was asked answered'),
    sources: z.array(BatchSourceEntry),
  })
  .meta({ id: 'MedicationBatch', description: 'QURX_IN990013NL answers collected in one MCCI_IN200101 batch' });
export type MedicationBatch = z.infer<typeof MedicationBatch>;

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
    outcome: z.enum(['permitted', 'partial', 'refused', 'failed']),
    code: z.string(),
    explanation: z.string(),
    sources: z.array(z.object({ applicationId: z.string(), status: SourceStatus, code: z.string() })),
  })
  .meta({ id: 'AccessLogEntry', description: 'NEN 7513 style entry; holds no clinical content' });
export type AccessLogEntry = z.infer<typeof AccessLogEntry>;
