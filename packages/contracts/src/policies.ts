import { z } from 'zod';
import { IsoDateTime } from './people.js';

/** The switch point's switchable policies (docs/domain.md section 4), as the operator sets them and systems read. */
export const Policies = z
  .object({
    coronaOptIn: z
      .boolean()
      .describe(
        'Corona opt-in: no-choice patients may have the summary shown at the HAP/SEH after verbal consent on the spot',
      ),
    stopButton: z.boolean().describe('The corona opt-in’s stop button: on means such requests return nothing'),
    presumedConsent: z
      .boolean()
      .describe(
        'Presumed consent in an emergency when the patient cannot consent (SEH, ambulance), unless they objected',
      ),
  })
  .meta({ id: 'Policies' });
export type Policies = z.infer<typeof Policies>;

/** What the switch point tells the holders of the professional summary when the corona opt-in starts or ends. */
export const PolicyNotice = z
  .object({ policies: Policies, changedAt: IsoDateTime })
  .strict()
  .meta({ id: 'PolicyNotice', description: 'The policies in force after a change of the corona opt-in' });
export type PolicyNotice = z.infer<typeof PolicyNotice>;
