/**
 * FHIR R4 on the wire (issue #17): the identifier systems of the Dutch nl-core profiles, resource
 * builders and the mapping from the one error list to OperationOutcome. Types come from @medplum/fhirtypes.
 */
export const FHIR_CONTENT_TYPE = 'application/fhir+json';
export * from './sources/systems.js';
export * from './sources/bundle.js';
export * from './sources/medication.js';
export * from './sources/search.js';
export * from './sources/summary.js';
export * from './sources/batch.js';
export { outcomeFromProblem, problemFromOutcome, type OperationOutcome } from './sources/shim.js';
