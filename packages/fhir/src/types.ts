/**
 * The FHIR R4 types this project builds and reads, taken from @medplum/fhirtypes (the maintained type
 * definitions, issue #17) under the names the code uses. Every resource the switch point returns is also
 * validated against the official R4 structure definitions in tests/fhir-nvi.test.ts.
 */
export type {
  Bundle,
  BundleEntry,
  BundleEntryRequest,
  CapabilityStatement,
  CapabilityStatementRest,
  CapabilityStatementRestResource as CapabilityStatementResource,
  CodeableConcept,
  Coding,
  ContactPoint,
  Endpoint,
  Extension,
  Identifier,
  List,
  ListEntry,
  Meta,
  OperationOutcome,
  OperationOutcomeIssue,
  Organization,
  Period,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
