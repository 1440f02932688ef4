import { X509Certificate, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { identityFromSubjectAltName } from '@schakel/contracts';
import {
  LSP_APPLICATION_ID,
  WSA_ANONYMOUS,
  actionOf,
  audienceOf,
  buildEnvelope,
  encodeMedicationQuery,
  encodeSummaryQuery,
  signAssertionHeader,
  type Card,
} from '@schakel/hl7v3';

/** The queries `schakel hl7` writes: the two a requesting system sends to /aorta/query. */
export const HL7_QUERY_INTERACTIONS = ['QURX_IN990011NL', 'QUPC_IN990001NL'] as const;
export type Hl7QueryInteraction = (typeof HL7_QUERY_INTERACTIONS)[number];

export interface SignedQueryInput {
  card: Card;
  bsn: string;
  interaction: Hl7QueryInteraction;
  /** The requesting system: the message's sender device; must be the system whose certificate sends it. */
  applicationId: string;
  /** The switch point's base URL; the envelope is addressed (wsa:To) to its /aorta/query. */
  lspUrl: string;
}

const leafOf = (chain: string) => {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(chain)?.[0];
  if (pem === undefined) throw new Error('The card file holds no certificate');
  return new X509Certificate(pem);
};

/**
 * A ready SOAP 1.2 envelope for a medication or summary query about `bsn`, as a requesting system sends it:
 * WS-Addressing headers, the card holder's XML-DSig signed assertion (addressed to the switch point, for
 * this interaction and patient, valid 5 minutes), and the HL7v3 query with the card holder as author. One
 * uuid is the MessageID, the transmission id and the assertion ID, so the envelope can be sent once.
 */
export function signedQueryEnvelope(input: SignedQueryInput): string {
  const who = identityFromSubjectAltName(leafOf(input.card.cert).subjectAltName);
  if (who.uziNumber === undefined || who.roleCode === undefined)
    throw new Error('The card is not a professional (UZI card) certificate');
  const messageId = randomUUID();
  const query = {
    bsn: input.bsn,
    requester: {
      applicationId: input.applicationId,
      professional: { uziNumber: who.uziNumber, roleCode: who.roleCode },
    },
    treatmentRelation: true,
  };
  const options = { transmission: { id: messageId, receiver: { applicationId: LSP_APPLICATION_ID.production } } };
  const body =
    input.interaction === 'QUPC_IN990001NL'
      ? encodeSummaryQuery(query, options)
      : encodeMedicationQuery(query, options);
  const header = signAssertionHeader(input.card, {
    interaction: input.interaction,
    bsn: input.bsn,
    audience: audienceOf(LSP_APPLICATION_ID.production),
    messageId,
  });
  return buildEnvelope({
    action: actionOf(input.interaction),
    messageId,
    to: new URL('/aorta/query', input.lspUrl).href,
    replyTo: WSA_ANONYMOUS,
    headers: [header],
    body,
  });
}

const applicationIdOf = (certFile: string) =>
  identityFromSubjectAltName(new X509Certificate(readFileSync(certFile)).subjectAltName);

/**
 * The application id of the system a card belongs with, from the certificate files beside it: an enrolled
 * system's card (<folder>/cards/<UZI>) has <folder>/system.cert.pem; a topology card
 * (<pki>/professionals/<URA>/<UZI>) has the one system certificate under <pki>/systems with that URA.
 * Undefined when it cannot tell (then the caller must say).
 */
export function applicationIdForCard(cardPrefix: string, cardCert: string): string | undefined {
  const enrolled = join(dirname(dirname(cardPrefix)), 'system.cert.pem');
  if (existsSync(enrolled)) return applicationIdOf(enrolled).applicationId;
  const ura = identityFromSubjectAltName(leafOf(cardCert).subjectAltName).ura;
  const systems = join(dirname(dirname(dirname(cardPrefix))), 'systems');
  if (ura === undefined || !existsSync(systems)) return undefined;
  const matches = readdirSync(systems)
    .filter((f) => f.endsWith('.cert.pem'))
    .map((f) => applicationIdOf(join(systems, f)))
    .filter((id) => id.ura === ura && id.applicationId !== undefined);
  return matches.length === 1 ? matches[0]!.applicationId : undefined;
}
