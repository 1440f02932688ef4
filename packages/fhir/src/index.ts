/**
 * FHIR R4 on the wire (issue #17): the identifier systems of the Dutch nl-core profiles, resource
 * builders and the mapping from the one error list to OperationOutcome, shared by the switch point and
 * FHIR sources. Types: types.ts (re-exported from @medplum/fhirtypes).
 */
export const FHIR_CONTENT_TYPE = 'application/fhir+json';
export const FHIR_VERSION = '4.0.1';
export * from './types.js';
export * from './systems.js';
export * from './outcome.js';
export * from './bundle.js';
export * from './sources/systems.js';
export * from './sources/bundle.js';
export * from './sources/medication.js';
export * from './sources/search.js';
export * from './sources/summary.js';
export * from './sources/batch.js';
export * from './consent-systems.js';
export * from './consent.js';
export * from './consent-questions.js';
export * from './subscription.js';
