import { OID } from '@schakel/contracts';

/**
 * The code and identifier systems the consent face speaks (nl-core NamingSystems where they exist, the
 * OIDs of docs/domain.md section 3 otherwise) and the small slice of the R4 resource shapes it builds.
 * Kept to what Consent, Parameters, Subscription and the notification Bundle need.
 */
export const CONSENT_SYSTEMS = {
  bsn: 'http://fhir.nl/fhir/NamingSystem/bsn',
  ura: 'http://fhir.nl/fhir/NamingSystem/ura',
  applicationId: `urn:oid:${OID.applicationId}`,
  uziRole: `urn:oid:${OID.uziRole}`,
  organisationType: `urn:oid:${OID.organisationType}`,
  dataCategory: `urn:oid:${OID.dataCategory}`,
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

export interface Identifier {
  system?: string;
  value?: string;
}
export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}
export interface Extension {
  url: string;
  valueString?: string;
  valueCode?: string;
}

export interface ConsentResource {
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
}

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
export interface ParametersResource {
  resourceType: 'Parameters';
  id?: string;
  parameter?: ParametersParameter[];
}

export interface SubscriptionResource {
  resourceType: 'Subscription';
  id?: string;
  status: 'requested' | 'active' | 'error' | 'off';
  reason: string;
  criteria: string;
  error?: string;
  channel: { type: 'rest-hook' | 'websocket' | 'email' | 'sms' | 'message'; endpoint?: string; payload?: string };
}

export interface BundleResource {
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
