import type { ConsumerProfile } from '@schakel/consult';

/**
 * An emergency department (SEH, in a hospital's ZIS/EPD): its own patient register, and consults in which
 * the SEH doctor queries medication and, under the acute-care rules, the professional summary (presumed
 * consent when the patient cannot consent and never objected), and the feedback report to the patient's own GP
 * (REPC_IN990003NL, "Met spoed beschikbaar") through a durable outbox.
 */
export const profile: ConsumerProfile = {
  service: 'seh',
  organisationType: 'V4',
  kind: 'emergency department, SEH',
  description:
    'An emergency department (spoedeisende hulp) in a hospital (V4). Holds its own patients; SEH doctors open consults and query the switch point.',
  tags: [
    { name: 'patients', description: 'The department’s patients' },
    { name: 'consults', description: 'Consults of the SEH doctor' },
    {
      name: 'reports',
      description: 'Feedback reports to the patient’s own GP: the encounter, the outbox and its delivery state',
    },
  ],
  patientRegister: true,
};
