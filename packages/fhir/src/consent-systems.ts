import { SYSTEM } from './systems.js';
import type { Bundle, Consent, Parameters, Subscription } from '@medplum/fhirtypes';

/**
 * The code and identifier systems the consent face speaks (nl-core NamingSystems where they exist, the
 * OIDs of docs/domain.md section 3 otherwise; the shared ones from systems.ts) and the shapes of the
 * resources it builds: Consent, Parameters, Subscription (from @medplum/fhirtypes).
 */
export const CONSENT_SYSTEMS = {
  bsn: SYSTEM.bsn,
  ura: SYSTEM.ura,
  applicationId: SYSTEM.applicationId,
  uziRole: SYSTEM.uziRole,
  organisationType: SYSTEM.organisationType,
  dataCategory: SYSTEM.dataCategory,
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  loinc: 'http://loinc.org',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
} as const;

/** Consent.policy: the rules a choice is read under (docs/fhir.md, "Consent in the Mitz model"). */
export const CONSENT_POLICY_URI = 'https://schakel.dev/fhir/policy/mitz-consent-profile';
/** Extensions on Consent: who recorded the choice and through which channel (the classic record's fields). */
export const RECORDED_BY_EXTENSION = 'https://schakel.dev/fhir/StructureDefinition/consent-recorded-by';
export const CHANNEL_EXTENSION = 'https://schakel.dev/fhir/StructureDefinition/consent-channel';

/** The resources the consent face builds, from @medplum/fhirtypes under the names the code uses. */
export type {
  Consent as ConsentResource,
  Parameters as ParametersResource,
  ParametersParameter,
  Subscription as SubscriptionResource,
} from '@medplum/fhirtypes';

/** The history Bundle of a subscription notification (subscription.ts). */
export type NotificationBundle = Bundle<Consent | Parameters | Subscription>;
