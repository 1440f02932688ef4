import { z } from 'zod';
import { Bsn, Ura } from './identifiers.js';
import { IsoDate, Prescriber, Professional } from './people.js';

/**
 * A medication dispense (medicatieverstrekking), shaped after the HL7v3 dispense so that an HL7v3 or FHIR
 * rendering can follow without remodelling. Product codes follow the G-Standaard (GPK, PRK, HPK, ZI) and ATC.
 */
export const Product = z
  .object({
    name: z.string().min(1).max(300),
    gpk: z
      .string()
      .regex(/^\d{1,8}$/, 'GPK: up to 8 digits')
      .optional(),
    prk: z
      .string()
      .regex(/^\d{1,8}$/, 'PRK: up to 8 digits')
      .optional(),
    hpk: z
      .string()
      .regex(/^\d{1,8}$/, 'HPK: up to 8 digits')
      .optional(),
    zi: z
      .string()
      .regex(/^\d{8}$/, 'ZI number: 8 digits')
      .optional(),
    atc: z
      .string()
      .regex(/^[A-Z]\d{2}[A-Z]{2}\d{2}$/, 'ATC code, e.g. C09AA02')
      .optional(),
    strength: z.string().max(100).optional(),
  })
  .strict()
  .meta({ id: 'Product' });

export const Quantity = z
  .object({ value: z.number().positive(), unit: z.string().min(1).max(50) })
  .strict()
  .meta({ id: 'Quantity' });

export const DispenseInput = z
  .object({
    product: Product,
    amount: Quantity,
    dosageInstruction: z.string().min(1).max(500),
    dispensedOn: IsoDate,
    prescriber: Prescriber,
  })
  .strict()
  .meta({ id: 'NewDispense' });
export type DispenseInput = z.infer<typeof DispenseInput>;

export const Dispense = DispenseInput.extend({
  id: z.string(),
  bsn: Bsn,
  pharmacy: z.object({ ura: Ura, name: z.string() }),
}).meta({ id: 'Dispense' });
export type Dispense = z.infer<typeof Dispense>;

/** What the switch point asks a source (the leg LSP -> pharmacy of QURX_IN990011NL). */
export const SourceMedicationQuery = z
  .object({
    bsn: Bsn,
    requester: z.object({
      ura: Ura,
      organisationName: z.string(),
      professional: Professional,
    }),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    latestPerProduct: z.boolean().optional().describe('Only the most recent dispense of each product (in the period)'),
  })
  .strict()
  .meta({ id: 'SourceMedicationQuery' });
export type SourceMedicationQuery = z.infer<typeof SourceMedicationQuery>;

/**
 * A contra-indication or intolerance (CiO) as the pharmacy records it for medication surveillance
 * (G-Standaard style: a contra-indication such as reduced kidney function, or an intolerance for a
 * substance or ATC group). The code is the G-Standaard thesaurus code where known (unverified numbering).
 */
export const NewCio = z
  .object({
    kind: z.enum(['contra-indication', 'intolerance']).describe('Contra-indicatie or intolerantie (overgevoeligheid)'),
    name: z.string().min(1).max(300),
    code: z
      .string()
      .regex(/^\d{1,8}$/, 'G-Standaard thesaurus code: up to 8 digits')
      .optional(),
    atc: z
      .string()
      .regex(/^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$/, 'ATC code or group, e.g. J01C')
      .optional(),
    recordedOn: IsoDate,
  })
  .strict()
  .meta({ id: 'NewCio' });
export type NewCio = z.infer<typeof NewCio>;
export const Cio = NewCio.extend({ id: z.string(), bsn: Bsn }).meta({
  id: 'Cio',
  description: 'Contra-indication or intolerance (CiO)',
});
export type Cio = z.infer<typeof Cio>;

export const SourceMedicationAnswer = z
  .object({
    interaction: z.literal('QURX_IN990013NL'),
    dispenses: z.array(Dispense),
    contraIndications: z
      .array(Cio)
      .optional()
      .describe('The patient’s contra-indications and intolerances (CiO) at this pharmacy'),
  })
  .meta({ id: 'SourceMedicationAnswer' });
export type SourceMedicationAnswer = z.infer<typeof SourceMedicationAnswer>;
