/**
 * FHIR R4 on the wire (issue #17): the identifier systems of the Dutch nl-core profiles, resource
 * builders and the mapping from the one error list to OperationOutcome. Types come from @medplum/fhirtypes.
 */
export const FHIR_CONTENT_TYPE = 'application/fhir+json';
export * from './consent-systems.js';
export * from './consent.js';
export * from './consent-questions.js';
export * from './subscription.js';
