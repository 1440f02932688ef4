import { z } from 'zod';
import { ApplicationId, Bsn, OrganisationType, Ura } from './identifiers.js';
import { IsoDateTime, Professional } from './people.js';
import { Icpc, ReportedTreatmentLimit } from './gp-record.js';

/**
 * The observation report (waarneemverslag, REPC_IN990003NL) that an after-hours post, an emergency
 * department or an ambulance service sends back to the patient's own GP, and its acknowledgement
 * (MCCI_IN000002: AA accepted, AE error (try again), AR rejected). docs/domain.md section 6: the content is
 * the patient, the out-of-hours encounter and what was done, an optional episode proposal, and handover
 * notes. The switch point routes it and keeps no copy.
 */

export const ObservationEncounter = z
  .object({
    at: IsoDateTime.optional().describe('When the encounter took place; default: when it was recorded'),
    complaint: z.string().min(1).max(2000).describe('Reason for contact (hulpvraag, S)'),
    findings: z.string().max(4000).optional().describe('What was found (O, E)'),
    actions: z.string().min(1).max(4000).describe('What was done: advice, treatment, prescriptions, referral (P)'),
    episodeProposal: Icpc.optional().describe('An episode the patient’s own GP may open or update (ICPC-1NL)'),
    handover: z.string().max(2000).optional().describe('Notes for the patient’s own GP: what to follow up'),
    treatmentLimits: z
      .array(ReportedTreatmentLimit)
      .max(10)
      .optional()
      .describe(
        'Behandelgrenzen agreed or learnt in the encounter (e.g. niet-reanimeren): once the GP processed the report they are in the next summary the acute chain gets',
      ),
  })
  .strict()
  .meta({
    id: 'ObservationEncounter',
    description: 'The out-of-hours or acute encounter, as it goes into the observation report',
  });
export type ObservationEncounter = z.infer<typeof ObservationEncounter>;

/** What the sender puts on the wire to the switch point (POST /reports/observation). */
export const ObservationReportSubmission = z
  .object({
    messageId: z
      .uuid()
      .describe('Chosen once by the sender and kept across retries: the receiving GP de-duplicates on it'),
    bsn: Bsn,
    sender: z
      .object({
        applicationId: ApplicationId,
        professional: Professional.describe('The author: the covering GP, SEH doctor or ambulance nurse'),
        responsible: Professional.optional(),
      })
      .strict(),
    situation: z.enum(['regular', 'acute']).default('regular'),
    encounter: ObservationEncounter.extend({ at: IsoDateTime }),
    writtenAt: IsoDateTime.describe('When the report was accepted by the sender'),
  })
  .strict()
  .meta({
    id: 'ObservationReportSubmission',
    description: `REPC_IN990003NL as a sender submits it to the switch point`,
  });
export type ObservationReportSubmission = z.infer<typeof ObservationReportSubmission>;

/** What the switch point forwards to the GP (POST /lsp/observation-reports): the sender as the address book knows it. */
export const ObservationReportDelivery = z
  .object({
    messageId: z.uuid(),
    bsn: Bsn,
    sender: z
      .object({
        applicationId: ApplicationId,
        ura: Ura,
        organisationName: z.string(),
        organisationType: OrganisationType,
      })
      .strict(),
    author: Professional,
    responsible: Professional.optional(),
    situation: z.enum(['regular', 'acute']),
    encounter: ObservationEncounter.extend({ at: IsoDateTime }),
    writtenAt: IsoDateTime,
  })
  .strict()
  .meta({
    id: 'ObservationReportDelivery',
    description: 'REPC_IN990003NL as the switch point delivers it to the patient’s own GP',
  });
export type ObservationReportDelivery = z.infer<typeof ObservationReportDelivery>;

export const AcknowledgementCode = z.enum(['AA', 'AE', 'AR']).meta({
  id: 'AcknowledgementCode',
  description:
    'MCCI_IN000002: AA accepted, AE error (the sender tries again), AR rejected (the sender must not try again)',
});
export type AcknowledgementCode = z.infer<typeof AcknowledgementCode>;

/** The receiving GP's answer (MCCI_IN000002). */
export const ReportAcknowledgement = z
  .object({
    interaction: z.literal('MCCI_IN000002'),
    messageId: z.uuid(),
    acknowledgement: AcknowledgementCode,
    duplicate: z.boolean().describe('AA for a message id received before: nothing was stored twice'),
    code: z.string().optional().describe('For AE / AR: a stable reason code, e.g. UNKNOWN_PATIENT'),
    reason: z.string().optional(),
    receivedAt: IsoDateTime.optional().describe('When the GP first received this message id'),
  })
  .strict()
  .meta({ id: 'ReportAcknowledgement' });
export type ReportAcknowledgement = z.infer<typeof ReportAcknowledgement>;

/** The switch point's answer to the sender: the GP's acknowledgement and where the report went. */
export const ReportRouting = ReportAcknowledgement.extend({
  deliveredTo: z.object({ applicationId: ApplicationId, ura: Ura, organisationName: z.string() }).strict(),
}).meta({ id: 'ReportRouting' });
export type ReportRouting = z.infer<typeof ReportRouting>;
