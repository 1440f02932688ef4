import type { FhirModule } from './module.js';
import { consentModule } from './consent.js';

/**
 * The FHIR modules of the switch point, registered in this order under /fhir (wires/fhir.ts). To add
 * one, write ./<name>.ts exporting a FhirModule (see module.ts) and list it here.
 */
export const FHIR_MODULES: FhirModule[] = [consentModule];
