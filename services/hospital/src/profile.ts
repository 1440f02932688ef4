import type { ConsumerProfile } from '@schakel/consult';

/**
 * A hospital's outpatient and ward departments (ziekenhuis, V4, in its ZIS/EPD): the co-treating medical
 * specialist (medebehandelend medisch specialist; the topology's is an internist, 01.016) opens a consult
 * and asks the patient's medication, one of the three consumers of the medication data the LHV text names
 * (rule AP-MED-3). The professional summary is not theirs to ask outside acute care (decisions.md 27).
 * It keeps its own patient register, and receives the referral letters GPs send it (decisions.md 28).
 */
export const profile: ConsumerProfile = {
  service: 'hospital',
  organisationType: 'V4',
  kind: 'hospital, medical specialists',
  description:
    'A hospital (ziekenhuis, V4). Medical specialists open consults and ask the switch point for the patient’s medication as co-treating specialist; referral letters from GPs arrive here.',
  tags: [
    { name: 'patients', description: 'The hospital’s patients' },
    { name: 'consults', description: 'Consults of the co-treating medical specialist' },
    {
      name: 'referrals',
      description: 'Referral letters (verwijsbrieven) from GPs: the inbox and the letters received',
    },
    {
      name: 'reports',
      description: 'Reports to the patient’s own GP: the encounter, the outbox and its delivery state',
    },
  ],
  patientRegister: true,
  receivesReferrals: true,
};
