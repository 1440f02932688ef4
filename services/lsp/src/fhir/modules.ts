import type { FhirModule } from './module.js';
import { medicationModule } from './medication.js';
import { localisation } from './nvi.js';
import { addressing } from './addressing.js';
import { consentModule } from './consent.js';

/**
 * The FHIR modules of the switch point, registered in this order under /fhir (wires/fhir.ts). To add
 * one, write ./<name>.ts exporting a FhirModule (see module.ts) and list it here.
 */
export const FHIR_MODULES: FhirModule[] = [localisation, addressing, medicationModule, consentModule];
