import type { SystemSubject } from '@schakel/trust/pki';

/** The operator's credential: a system certificate with the admin role, for seeding, tests and curl. */
export const ADMIN_SYSTEM: SystemSubject = {
  id: 'schakel-admin',
  name: 'Schakel operator',
  ura: '00000000',
  applicationId: '0',
  role: 'admin',
};
