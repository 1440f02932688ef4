import { AMBULANCE_SERVICE_TYPE } from '@schakel/contracts';
import type { ConsumerProfile } from '@schakel/consult';

/**
 * An ambulance service (regionale ambulancevoorziening, RAV; organisation type SCHAKEL-RAV, a local code: docs/decisions.md): the
 * acute-care consumer the "Met spoed beschikbaar" programme adds. The ambulance nurse (30.000) or bachelor medisch hulpverlener (80.000)
 * opens a consult at the scene, queries medication and, under the acute-care rules, the professional
 * summary (presumed consent when the patient cannot consent and never objected), and sends the feedback
 * report to the patient's own GP through the same durable outbox as the HAP and the SEH.
 */
export const profile: ConsumerProfile = {
  service: 'ambulance',
  organisationType: AMBULANCE_SERVICE_TYPE,
  kind: 'ambulance service, RAV',
  description:
    'An ambulance service (RAV). Ambulance professionals open consults for acute care and query the switch point; feedback reports go to the patient’s own GP.',
  tags: [
    { name: 'consults', description: 'Acute-care consults of the ambulance crew' },
    {
      name: 'reports',
      description: 'Feedback reports to the patient’s own GP: the encounter, the outbox and its delivery state',
    },
  ],
  patientRegister: false,
};
