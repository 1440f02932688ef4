import { OID } from '@schakel/contracts';

/**
 * Identifier and code systems of the sources' resources, after the Dutch nl-core profiles (NamingSystem
 * URIs under http://fhir.nl/fhir/NamingSystem/ for BSN, URA, UZI, AGB, BIG) and the zib code systems
 * (G-Standaard and ATC for products, ICPC-1NL for episodes, LOINC for measurements). Schakel's own codes
 * (source status, decision codes, SOEP lines, ...) are the same OIDs the HL7v3 wire uses (packages/hl7v3
 * oids.ts: one arc, 2.25.<uuid>), as urn:oid: URIs.
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

const SCHAKEL = 'urn:oid:2.25.323076476240762072713884933401719747791';

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
  sourceStatus: `${SCHAKEL}.1`,
  /** Schakel: decision codes (CONSENT_GIVEN, CONSENT_OBJECTION, PROTOCOL_DENY, ...). */
  decision: `${SCHAKEL}.2`,
  /** Schakel: problem codes of the one error list (UPSTREAM_ERROR, ...). */
  problem: `${SCHAKEL}.3`,
  /** Schakel: kind of GP contact (consult, visite, telefonisch, e-consult, overig). */
  contactType: `${SCHAKEL}.5`,
  /** Schakel: SOEP line (S, O, E, P) of a journal entry, and the parts of an observation report. */
  soep: `${SCHAKEL}.6`,
  /** Schakel: treatment limits (niet-reanimeren, geen-ziekenhuisopname, ...). */
  treatmentLimit: `${SCHAKEL}.7`,
  /** Schakel: what a Flag or Composition of a source is (contra-indication, covering note, journal entry, ...). */
  itemKind: `${SCHAKEL}.8`,
  /** Placeholder for the G-Standaard CiO thesaurus, whose OID we could not verify. */
  gstdThesaurus: `${SCHAKEL}.9`,
  /** Schakel: the care situation (regular, acute). */
  situation: `${SCHAKEL}.11`,
} as const;

/** Extensions of Schakel's own for what no R4 element holds; nl-core's ext-Comment for free-text notes. */
export const EXTENSION = {
  comment: 'http://nictiz.nl/fhir/StructureDefinition/ext-Comment',
  strength: `${SCHAKEL}.20`,
  attention: `${SCHAKEL}.21`,
  recordedAt: `${SCHAKEL}.22`,
  validUntil: `${SCHAKEL}.23`,
  processedAt: `${SCHAKEL}.24`,
  journalFrom: `${SCHAKEL}.25`,
} as const;
