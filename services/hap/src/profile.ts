import type { ConsumerProfile } from '@schakel/consult';

/**
 * The after-hours GP post (huisartsenpost, HAP): covering GPs open consults, query the switch point, and
 * send the observation report (waarneemverslag) to the patient's own GP through a durable outbox.
 */
export const profile: ConsumerProfile = {
  service: 'hap',
  organisationType: 'N6',
  kind: 'after-hours GP post, HAP',
  description:
    'An after-hours GP post (huisartsenpost, N6). A covering GP opens a consult for a BSN, asks the switch point for the patient’s medication and professional summary, records the encounter and sends the observation report (REPC_IN990003NL) to the patient’s own GP.',
  tags: [
    { name: 'consults', description: 'Consults of the covering GP' },
    {
      name: 'reports',
      description:
        'Observation reports (waarneemverslagen) to the patient’s own GP: the encounter, the outbox and its delivery state',
    },
  ],
  patientRegister: false,
};
