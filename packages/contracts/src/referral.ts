import { z } from 'zod';
import { ApplicationId, Bsn, Ura } from './identifiers.js';
import { IsoDateTime, PatientDemographics, Professional } from './people.js';

/** The kinds of GP record item a referral letter can carry (the GP record's own kinds). */
export const ReferralItemKind = z
  .enum([
    'episode',
    'journal',
    'measurement',
    'prescription',
    'allergy',
    'contra-indication',
    'covering-note',
    'treatment-limit',
  ])
  .meta({ id: 'ReferralItemKind' });

/** One item of the GP record, copied into the letter as the GP recorded it. */
export const ReferralItem = z
  .object({
    id: z.string().min(1).describe('The item’s id in the GP record'),
    kind: ReferralItemKind,
    fields: z.record(z.string(), z.unknown()).describe('The item’s fields as the GP recorded them'),
  })
  .strict()
  .meta({ id: 'ReferralItem' });
export type ReferralItem = z.infer<typeof ReferralItem>;

/**
 * A referral letter (verwijsbrief) from the GP to a medical specialist. A referral implies the patient's
 * consent to send the information the specialist needs, except the items the patient objected to: those
 * are left out at the GP and never leave it; the letter carries no trace of them but the flag that the
 * patient asked for something to be withheld (decisions.md 28).
 */
export const ReferralLetter = z
  .object({
    messageId: z
      .uuid()
      .describe('Unique per letter: the receiver de-duplicates by it, so a retry never files it twice'),
    bsn: Bsn,
    patient: PatientDemographics,
    from: z
      .object({
        applicationId: ApplicationId,
        ura: Ura,
        organisationName: z.string(),
        referrer: Professional.describe('The referring GP'),
      })
      .strict(),
    to: z.object({ applicationId: ApplicationId }).strict().describe('The receiving hospital system'),
    reason: z.string().min(1).max(2000).describe('Reden van verwijzing: why the patient is referred'),
    question: z.string().min(1).max(2000).describe('Vraagstelling: what the GP asks the specialist'),
    items: z.array(ReferralItem).max(200).describe('The record items sent with the letter'),
    withheldAtPatientsRequest: z
      .boolean()
      .describe('The patient objected to items the GP would have sent; they were left out (which, is not said)'),
    writtenAt: IsoDateTime,
  })
  .strict()
  .meta({ id: 'ReferralLetter' });
export type ReferralLetter = z.infer<typeof ReferralLetter>;
