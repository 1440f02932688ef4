import { OID } from '@schakel/contracts';

/**
 * Identifier and code systems on the FHIR wire, as the Dutch nl-core / zib profiles name them
 * (http://fhir.nl/fhir/NamingSystem/...), and the OIDs of docs/domain.md as urn:oid: URIs where no
 * NamingSystem URL is published. One place for the switch point and every FHIR source.
 */
export const SYSTEM = {
  bsn: 'http://fhir.nl/fhir/NamingSystem/bsn',
  ura: 'http://fhir.nl/fhir/NamingSystem/ura',
  /** UZI number of a person (a professional's card). */
  uziPerson: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers',
  /** UZI number of a system (a server certificate). */
  uziSystem: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-sys',
  agb: 'http://fhir.nl/fhir/NamingSystem/agb-z',
  big: 'http://fhir.nl/fhir/NamingSystem/big',
  /** GBZ application id: no NamingSystem URL is published for it (unverified), so its OID. */
  applicationId: `urn:oid:${OID.applicationId}`,
  uziRole: `urn:oid:${OID.uziRole}`,
  organisationType: `urn:oid:${OID.organisationType}`,
  /** The AORTA data categories (MEDVERSTREKKING, WAARNEEMGEGEVENS, ...). */
  dataCategory: `urn:oid:${OID.dataCategory}`,
  /** G-Standaard (Z-Index): GPK, HPK, PRK and the ZI number. */
  gpk: 'urn:oid:2.16.840.1.113883.2.4.4.1',
  hpk: 'urn:oid:2.16.840.1.113883.2.4.4.7',
  prk: 'urn:oid:2.16.840.1.113883.2.4.4.10',
  zi: 'urn:oid:2.16.840.1.113883.2.4.4.8',
  atc: 'http://www.whocc.no/atc',
  icpc: 'http://hl7.org/fhir/sid/icpc-1-nl',
} as const;

/** Schakel's own code systems on the FHIR wire (the stable codes of packages/contracts). */
export const SCHAKEL_SYSTEM = {
  /** The one error list (ERROR_CODES): OperationOutcome.issue.details.coding of every error. */
  errorCode: 'https://schakel.dev/fhir/CodeSystem/error-code',
  /** Decision codes (CONSENT_GIVEN, PROTOCOL_DENY, ...) with the deciding rule. */
  decisionCode: 'https://schakel.dev/fhir/CodeSystem/decision-code',
  /** Which wire a system speaks (Endpoint.connectionType): json, hl7v3, fhir. */
  wire: 'https://schakel.dev/fhir/CodeSystem/wire',
} as const;

/** A FHIR identifier token as search parameters write it: `system|value`. */
export function parseToken(token: string): { system?: string; value: string } {
  const bar = token.indexOf('|');
  if (bar < 0) return { value: token };
  const system = token.slice(0, bar);
  return system === '' ? { value: token.slice(bar + 1) } : { system, value: token.slice(bar + 1) };
}
