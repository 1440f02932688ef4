import { z } from 'zod';
import { Agb, BigNumber, UziNumber, UziRoleCode } from './identifiers.js';

export const Professional = z
  .object({
    uziNumber: UziNumber,
    roleCode: UziRoleCode,
    name: z.string().min(1).max(200).optional(),
  })
  .strict()
  .meta({ id: 'Professional', description: 'A professional identified by UZI number and UZI role code' });
export type Professional = z.infer<typeof Professional>;

export const Prescriber = z
  .object({
    name: z.string().min(1).max(200),
    agb: Agb.optional(),
    big: BigNumber.optional(),
  })
  .strict()
  .meta({ id: 'Prescriber' });
export type Prescriber = z.infer<typeof Prescriber>;

export const IsoDate = z.iso.date().meta({ id: 'IsoDate', description: 'A calendar date, YYYY-MM-DD' });
export const IsoDateTime = z.iso.datetime({ offset: true }).meta({ id: 'IsoDateTime' });

export const PatientDemographics = z
  .object({
    name: z.string().min(1).max(200),
    birthDate: IsoDate,
  })
  .strict()
  .meta({ id: 'PatientDemographics' });
export type PatientDemographics = z.infer<typeof PatientDemographics>;
