import { SYSTEM } from './systems.js';
import type { CodeableConcept, Coding, Extension, Identifier, Reference } from './types.js';

/**
 * The code and identifier systems the consent face speaks (nl-core NamingSystems where they exist, the
 * OIDs of docs/domain.md section 3 otherwise; the shared ones from systems.ts) and the shapes of the
 * resources it builds that types.ts does not write out: Consent, Parameters, Subscription.
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

// Type aliases, not interfaces: they fit types.ts's Resource (an object with an index signature).
export type ConsentResource = {
  resourceType: 'Consent';
  id?: string;
  meta?: { lastUpdated?: string };
  extension?: Extension[];
  status: 'draft' | 'proposed' | 'active' | 'rejected' | 'inactive' | 'entered-in-error';
  scope: CodeableConcept;
  category: CodeableConcept[];
  patient?: Reference;
  dateTime?: string;
  policy?: { uri?: string }[];
  policyRule?: CodeableConcept;
  provision?: {
    type?: 'deny' | 'permit';
    actor?: { role: CodeableConcept; reference: Reference }[];
    code?: CodeableConcept[];
    provision?: unknown[];
  };
};

export interface ParametersParameter {
  name: string;
  valueIdentifier?: Identifier;
  valueCoding?: Coding;
  valueCode?: string;
  valueString?: string;
  valueBoolean?: boolean;
  valueReference?: Reference;
  valueInstant?: string;
  part?: ParametersParameter[];
}
export type ParametersResource = {
  resourceType: 'Parameters';
  id?: string;
  parameter?: ParametersParameter[];
};

export type SubscriptionResource = {
  resourceType: 'Subscription';
  id?: string;
  status: 'requested' | 'active' | 'error' | 'off';
  reason: string;
  criteria: string;
  error?: string;
  channel: { type: 'rest-hook' | 'websocket' | 'email' | 'sms' | 'message'; endpoint?: string; payload?: string };
};

/** The history Bundle of a subscription notification (subscription.ts). */
export interface NotificationBundle {
  resourceType: 'Bundle';
  id?: string;
  type: 'history' | 'searchset' | 'collection';
  timestamp?: string;
  total?: number;
  entry?: {
    fullUrl?: string;
    resource: ConsentResource | ParametersResource | SubscriptionResource;
    search?: { mode: 'match' | 'include' };
    request?: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string };
    response?: { status: string };
  }[];
}
