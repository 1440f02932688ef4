import { SCHAKEL_SYSTEM, SYSTEM } from '../systems.js';

/** An identifier that is a UUID (a message id), as nl-core writes it: `urn:uuid:<uuid>` under this system. */
export const UUID_SYSTEM = 'urn:ietf:rfc:3986';

const SCHAKEL = 'https://schakel.dev/fhir/CodeSystem';
const EXT = 'https://schakel.dev/fhir/StructureDefinition';

/**
 * The code systems of the sources' resources beyond the identifier systems of ../systems.ts (SYSTEM: BSN,
 * URA, UZI, AGB, BIG, G-Standaard, ATC, ICPC-1NL): LOINC for measurements, HL7's terminology for clinical
 * status and consent scope, and Schakel's own codes (source status, SOEP lines, ...) under
 * https://schakel.dev/fhir/, beside the error-code and decision-code systems of the /fhir endpoint.
 */
export const CODE_SYSTEM = {
  gpk: SYSTEM.gpk,
  prk: SYSTEM.prk,
  hpk: SYSTEM.hpk,
  zi: SYSTEM.zi,
  atc: SYSTEM.atc,
  icpc: SYSTEM.icpc,
  loinc: 'http://loinc.org',
  uziRole: SYSTEM.uziRole,
  organisationType: SYSTEM.organisationType,
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  /** Schakel: the status of one source in a batch (ok, no-data, refused, timeout, unreachable, error). */
  sourceStatus: `${SCHAKEL}/source-status`,
  decision: SCHAKEL_SYSTEM.decisionCode,
  problem: SCHAKEL_SYSTEM.errorCode,
  /** Schakel: kind of GP contact (consult, visite, telefonisch, e-consult, overig). */
  contactType: `${SCHAKEL}/contact-type`,
  /** Schakel: SOEP line (S, O, E, P) of a journal entry, and the parts of an observation report. */
  soep: `${SCHAKEL}/soep`,
  /** Schakel: treatment limits (niet-reanimeren, geen-ziekenhuisopname, ...). */
  treatmentLimit: `${SCHAKEL}/treatment-limit`,
  /** Schakel: what a Flag or Composition of a source is (contra-indication, covering note, journal entry, ...). */
  itemKind: `${SCHAKEL}/item-kind`,
  /** Placeholder for the G-Standaard CiO thesaurus, whose OID we could not verify. */
  gstdThesaurus: `${SCHAKEL}/gstd-thesaurus-placeholder`,
  /** Schakel: the care situation (regular, acute). */
  situation: `${SCHAKEL}/situation`,
} as const;

/** Extensions of Schakel's own for what no R4 element holds; nl-core's ext-Comment for free-text notes. */
export const EXTENSION = {
  comment: 'http://nictiz.nl/fhir/StructureDefinition/ext-Comment',
  strength: `${EXT}/product-strength`,
  attention: `${EXT}/attention-flag`,
  recordedAt: `${EXT}/recorded-at`,
  role: `${EXT}/uzi-role`,
  organisationType: `${EXT}/organisation-type`,
  street: `${EXT}/street`,
  houseNumber: `${EXT}/house-number`,
  encounterAt: `${EXT}/encounter-at`,
  endDate: `${EXT}/episode-end-date`,
  unit: `${EXT}/unit-of-text-value`,
  source: `${EXT}/batch-source`,
} as const;
