import { OID } from '@schakel/contracts';

/**
 * Identifier and code systems of the sources' resources, after the Dutch nl-core profiles (NamingSystem
 * URIs under http://fhir.nl/fhir/NamingSystem/ for BSN, URA, UZI, AGB, BIG) and the zib code systems
 * (G-Standaard and ATC for products, ICPC-1NL for episodes, LOINC for measurements). Schakel's own codes
 * (source status, decision codes, SOEP lines, ...) live under https://schakel.dev/fhir/, beside the
 * error-code and decision-code systems of the /fhir endpoint.
 */
export const ID_SYSTEM = {
  bsn: 'http://fhir.nl/fhir/NamingSystem/bsn',
  ura: 'http://fhir.nl/fhir/NamingSystem/ura',
  uziPerson: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers',
  agb: 'http://fhir.nl/fhir/NamingSystem/agb-z',
  big: 'http://fhir.nl/fhir/NamingSystem/big',
  /** A switch-point message id (an observation report's), as the nl-core convention for a UUID. */
  uuid: 'urn:ietf:rfc:3986',
} as const;

const SCHAKEL = 'https://schakel.dev/fhir/CodeSystem';
const EXT = 'https://schakel.dev/fhir/StructureDefinition';

export const CODE_SYSTEM = {
  /** G-Standaard (Z-Index): GPK, PRK, HPK, ZI number, as the zib PharmaceuticalProduct names them. */
  gpk: 'urn:oid:2.16.840.1.113883.2.4.4.1',
  prk: 'urn:oid:2.16.840.1.113883.2.4.4.10',
  hpk: 'urn:oid:2.16.840.1.113883.2.4.4.7',
  zi: 'urn:oid:2.16.840.1.113883.2.4.4.8',
  atc: 'http://www.whocc.no/atc',
  icpc: 'http://hl7.org/fhir/sid/icpc-1-nl',
  loinc: 'http://loinc.org',
  uziRole: `urn:oid:${OID.uziRole}`,
  organisationType: `urn:oid:${OID.organisationType}`,
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  /** Schakel: the status of one source in a batch (ok, no-data, refused, timeout, unreachable, error). */
  sourceStatus: `${SCHAKEL}/source-status`,
  /** Schakel: decision codes (CONSENT_GIVEN, CONSENT_OBJECTION, PROTOCOL_DENY, ...). */
  decision: `${SCHAKEL}/decision-code`,
  /** Schakel: problem codes of the one error list (UPSTREAM_ERROR, ...). */
  problem: `${SCHAKEL}/error-code`,
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
