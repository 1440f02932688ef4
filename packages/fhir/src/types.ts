/**
 * The FHIR R4 resource types this project builds, as a structural subset of @medplum/fhirtypes (the
 * declared type source, issue #17). That package is not installed in this checkout, so the shapes used
 * here are written out, with the R4 element names and cardinalities; every resource the switch point
 * returns is validated against the official R4 structure definitions in tests/fhir-nvi.test.ts. When
 * @medplum/fhirtypes is installed, these re-export from it without changing any user.
 */
export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Period {
  start?: string;
  end?: string;
}
export interface Identifier {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  type?: CodeableConcept;
  system?: string;
  value?: string;
  period?: Period;
}
export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}
export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  source?: string;
  profile?: string[];
}
export interface Extension {
  url: string;
  valueString?: string;
  valueCode?: string;
  valueReference?: Reference;
}
export interface ContactPoint {
  system?: 'phone' | 'fax' | 'email' | 'pager' | 'url' | 'sms' | 'other';
  value?: string;
}

export interface ResourceBase {
  id?: string;
  meta?: Meta;
  extension?: Extension[];
}

export interface OperationOutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  details?: CodeableConcept;
  diagnostics?: string;
  expression?: string[];
}
export interface OperationOutcome extends ResourceBase {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

export interface ListEntry {
  item: Reference;
  date?: string;
}
/** R4 List: in the NVI, one per (holder, patient, data category). */
export interface List extends ResourceBase {
  resourceType: 'List';
  identifier?: Identifier[];
  status: 'current' | 'retired' | 'entered-in-error';
  mode: 'working' | 'snapshot' | 'changes';
  title?: string;
  code?: CodeableConcept;
  subject?: Reference;
  date?: string;
  source?: Reference;
  entry?: ListEntry[];
  emptyReason?: CodeableConcept;
}

export interface Organization extends ResourceBase {
  resourceType: 'Organization';
  identifier?: Identifier[];
  active?: boolean;
  type?: CodeableConcept[];
  name?: string;
  telecom?: ContactPoint[];
  endpoint?: Reference[];
}

export interface Endpoint extends ResourceBase {
  resourceType: 'Endpoint';
  identifier?: Identifier[];
  status: 'active' | 'suspended' | 'error' | 'off' | 'entered-in-error' | 'test';
  connectionType: Coding;
  name?: string;
  managingOrganization?: Reference;
  payloadType: CodeableConcept[];
  payloadMimeType?: string[];
  address: string;
}

export interface CapabilityStatementResource {
  type: string;
  profile?: string;
  interaction?: {
    code:
      'read' | 'vread' | 'update' | 'patch' | 'delete' | 'history-instance' | 'history-type' | 'create' | 'search-type';
  }[];
  searchParam?: {
    name: string;
    type: 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';
    documentation?: string;
  }[];
  operation?: { name: string; definition: string; documentation?: string }[];
  documentation?: string;
}
export interface CapabilityStatementRest {
  mode: 'server' | 'client';
  documentation?: string;
  security?: { cors?: boolean; service?: CodeableConcept[]; description?: string };
  resource?: CapabilityStatementResource[];
  interaction?: { code: 'transaction' | 'batch' | 'search-system' | 'history-system' }[];
  operation?: { name: string; definition: string; documentation?: string }[];
}
export interface CapabilityStatement extends ResourceBase {
  resourceType: 'CapabilityStatement';
  status: 'draft' | 'active' | 'retired' | 'unknown';
  date: string;
  publisher?: string;
  kind: 'instance' | 'capability' | 'requirements';
  software?: { name: string; version?: string };
  implementation?: { description: string; url?: string };
  fhirVersion: string;
  format: string[];
  rest?: CapabilityStatementRest[];
}

export interface BundleEntry<R extends Resource = Resource> {
  fullUrl?: string;
  resource?: R;
  search?: { mode?: 'match' | 'include' | 'outcome'; score?: number };
  request?: { method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'; url: string };
  response?: { status: string; location?: string; etag?: string; lastModified?: string; outcome?: OperationOutcome };
}
export interface Bundle<R extends Resource = Resource> extends ResourceBase {
  resourceType: 'Bundle';
  type:
    | 'document'
    | 'message'
    | 'transaction'
    | 'transaction-response'
    | 'batch'
    | 'batch-response'
    | 'history'
    | 'searchset'
    | 'collection';
  timestamp?: string;
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: BundleEntry<R>[];
}

/**
 * Any resource: the ones above by name, and any other (a source's MedicationDispense, a Consent) as an
 * object with a resourceType, until its shape is written out here or taken from @medplum/fhirtypes.
 */
export type Resource =
  | OperationOutcome
  | List
  | Organization
  | Endpoint
  | CapabilityStatement
  | Bundle
  | (ResourceBase & { resourceType: string; [element: string]: unknown });
