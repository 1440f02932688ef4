import { OID } from '@schakel/contracts';

/**
 * Namespaces and code systems on the AORTA wire. Identifier OIDs (BSN, URA, UZI, AGB, application id) come
 * from @schakel/contracts so there is one list; the rest is HL7, G-Standaard and AORTA vocabulary.
 * Entries marked (unverified) are our best reading and are only ever used through these constants.
 */
export const NS = {
  hl7: 'urn:hl7-org:v3',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap12wsdl: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  wsam: 'http://www.w3.org/2007/05/addressing/metadata',
  wsaw: 'http://www.w3.org/2006/05/addressing/wsdl',
  xs: 'http://www.w3.org/2001/XMLSchema',
} as const;

/**
 * Schakel's own code systems. Schakel has no registered OID arc, so it uses a UUID-derived OID
 * (ITU-T X.667: 2.25.<the UUID as one integer>), which anyone may mint without registration; the UUID is
 * f30e4418-0be3-435b-801e-f0630fe634cf. Codes under it are the stable codes of the JSON API.
 */
export const SCHAKEL_OID_ROOT = '2.25.323076476240762072713884933401719747791';

export const CODE_SYSTEM = {
  ...OID,
  /** HL7 interaction ids (interactionId/@root). */
  interaction: '2.16.840.1.113883.1.6',
  /** HL7 ActCode: NAT, KEY204, KEY205 (ActDetectedIssueCode), MEDLIST, ALG, INT. */
  actCode: '2.16.840.1.113883.5.4',
  /** HL7 ActPriority: EM (emergency), R (routine). */
  actPriority: '2.16.840.1.113883.5.7',
  /** HL7 ObservationInterpretation severity: L, M, H. */
  severity: '2.16.840.1.113883.5.1063',
  /** AORTA's own acknowledgement detail codes (AcknowledgementDetailCodeAORTA), e.g. VALIDATIEFOUT (unverified). */
  aortaAckDetail: '2.16.840.1.113883.2.4.6.6.1.1000',
  /** Nictiz message profile (profileId/@root) with extension 810, as on the LSP. */
  profile: '2.16.840.1.113883.2.4.3.11.1',
  /** G-Standaard: GPK, HPK, ZI number, PRK. */
  gpk: '2.16.840.1.113883.2.4.4.1',
  hpk: '2.16.840.1.113883.2.4.4.7',
  zi: '2.16.840.1.113883.2.4.4.8',
  prk: '2.16.840.1.113883.2.4.4.10',
  /** G-Standaard unit of dispense ("stuk", "ml"), carried as a translation of the quantity. */
  gstdUnit: '2.16.840.1.113883.2.4.4.1.900.2',
  atc: '2.16.840.1.113883.6.73',
  loinc: '2.16.840.1.113883.6.1',
  /** ICPC-1NL (NHG). */
  icpc: '2.16.840.1.113883.2.4.4.31.1',
  /** BIG register (unverified). */
  big: '2.16.528.1.1007.5.1',
  /** Schakel: the status of one source in a batch (ok, no-data, refused, timeout, unreachable, error). */
  sourceStatus: `${SCHAKEL_OID_ROOT}.1`,
  /** Schakel: decision codes (CONSENT_GIVEN, CONSENT_OBJECTION, PROTOCOL_DENY, ...). */
  decision: `${SCHAKEL_OID_ROOT}.2`,
  /** Schakel: problem codes of the JSON API (INVALID_BSN, UNKNOWN_PATIENT, ...). */
  problem: `${SCHAKEL_OID_ROOT}.3`,
  /** Schakel: attention line keys (organisationType, contacted, durationMs, ...). */
  attention: `${SCHAKEL_OID_ROOT}.4`,
  /** Schakel: kind of GP contact (consult, visite, telefonisch, e-consult, overig). */
  contactType: `${SCHAKEL_OID_ROOT}.5`,
  /** Schakel: SOEP line (S, O, E, P) of a journal entry or an encounter. */
  soep: `${SCHAKEL_OID_ROOT}.6`,
  /** Schakel: treatment limits (niet-reanimeren, geen-ziekenhuisopname, ...). */
  treatmentLimit: `${SCHAKEL_OID_ROOT}.7`,
  /** Schakel: contra-indication or intolerance (CiO) kind. */
  cioKind: `${SCHAKEL_OID_ROOT}.8`,
  /** Placeholder for the G-Standaard CiO thesaurus, whose OID we could not verify. */
  gstdThesaurus: `${SCHAKEL_OID_ROOT}.9`,
  /** Schakel: an episode's attention flag (attentiewaarde). */
  attentionFlag: `${SCHAKEL_OID_ROOT}.10`,
  /** Schakel: the care situation of a query (regular, acute). */
  situation: `${SCHAKEL_OID_ROOT}.11`,
  /** Schakel: the switch point's consent record ids (Decision.consentRecordId), where a decision names one. */
  consentRecord: `${SCHAKEL_OID_ROOT}.12`,
} as const;

/** The transmission wrapper's fixed values on the LSP (Nictiz edition 2005-Okt, profile 810). */
export const WRAPPER = {
  versionCode: 'NICTIZEd2005-Okt',
  profileExtension: '810',
} as const;

/** The switch point's own application id: 1 on the production network, 3 in the test environment. */
export const LSP_APPLICATION_ID = { production: '1', test: '3' } as const;

/**
 * Root of the ids a system gives its messages: its application id OID arc plus ".1". AORTA systems mint
 * ids under their own arc; the suffix is our choice (unverified convention).
 */
export const messageIdRoot = (applicationId: string) => `${OID.applicationId}.${applicationId}.1`;

/** Root of the ids an organisation gives its records (dispenses, episodes): its URA arc plus a suffix. */
export const recordIdRoot = (ura: string, kind: number) => `${OID.ura}.${Number(ura)}.${kind}`;
