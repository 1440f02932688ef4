import { randomUUID } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { el, raw, toXml, type XChild } from '../xml/build.js';
import { parseXml, type XmlLimits } from '../xml/parse.js';
import { reader, wireError, type Reader } from '../xml/read.js';
import { NS } from '../oids.js';

/**
 * SOAP 1.2 envelopes with WS-Addressing 1.0, as AORTA carries HL7v3: Action names the interaction,
 * MessageID identifies the message (urn:uuid:...), To the addressed service, ReplyTo where answers go
 * (anonymous: on the same connection), RelatesTo on an answer the request's MessageID. The body holds
 * exactly one element, the HL7v3 interaction. SOAP 1.1 envelopes are refused (VersionMismatch).
 */
export const WSA_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';
export const WSA_FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface Addressing {
  action: string;
  messageId: string;
  to?: string;
  replyTo?: string;
  relatesTo?: string;
}

export interface SoapFault {
  code: string;
  subcode?: string;
  reason: string;
  /** The detail's first element, e.g. an MCCI_IN000002. */
  detail?: Element;
}

export interface SoapEnvelope extends Addressing {
  document: Document;
  /** Every header block (wsa:*, wsse:Security, ...). */
  headerBlocks: Element[];
  /** Header blocks marked mustUnderstand that are neither WS-Addressing nor WS-Security: answer with a MustUnderstand fault. */
  notUnderstood: string[];
  /** The body's one element: the HL7v3 interaction (or a soap:Fault). */
  body: Element;
  bodyName: string;
  bodyNamespace: string | null;
  fault?: SoapFault;
}

const UNDERSTOOD = new Set<string>([NS.wsa, NS.wsse]);

const isTrue = (v: string | undefined) => v === 'true' || v === '1';

function readFault(f: Reader): SoapFault {
  const code = f.need('Code', NS.soap);
  const subcode = code.child('Subcode', NS.soap)?.child('Value', NS.soap)?.text().trim();
  const detail = f.child('Detail', NS.soap)?.elements()[0]?.el;
  return {
    code: code.need('Value', NS.soap).text().trim(),
    ...(subcode !== undefined ? { subcode } : {}),
    reason: f.need('Reason', NS.soap).all('Text', NS.soap)[0]?.text() ?? '',
    ...(detail !== undefined ? { detail } : {}),
  };
}

/** Parse an envelope from the wire (safely: see parseXml) and read its addressing. */
export function parseEnvelope(xml: string | Uint8Array, limits?: XmlLimits): SoapEnvelope {
  const document = parseXml(xml, limits);
  const root = reader(document.documentElement!, 'Envelope');
  if (root.name === 'Envelope' && root.ns === SOAP11)
    throw wireError(
      'Envelope',
      'INVALID_VALUE',
      `a SOAP 1.2 envelope (${NS.soap})`,
      'SOAP 1.1 is not spoken here (VersionMismatch)',
    );
  if (root.name !== 'Envelope' || root.ns !== NS.soap)
    throw wireError(
      'Envelope',
      'INVALID_VALUE',
      `a SOAP 1.2 envelope (${NS.soap})`,
      `the document is {${root.ns ?? ''}}${root.name}, not a SOAP 1.2 Envelope`,
    );
  const header = root.child('Header', NS.soap);
  const blocks = header?.elements() ?? [];
  const wsa = (name: string) => {
    const found = blocks.filter((b) => b.ns === NS.wsa && b.name === name);
    if (found.length > 1)
      throw wireError(
        `Envelope/Header/wsa:${name}`,
        'INVALID_VALUE',
        `one wsa:${name}`,
        `wsa:${name} appears ${found.length} times`,
      );
    return found[0];
  };
  const body = root.need('Body', NS.soap).elements();
  if (body.length !== 1)
    throw wireError(
      'Envelope/Body',
      'INVALID_VALUE',
      'exactly one element in the body',
      `the body holds ${body.length} elements`,
    );
  const first = body[0]!;
  const fault = first.ns === NS.soap && first.name === 'Fault' ? readFault(first) : undefined;
  const action = wsa('Action')?.text().trim();
  const messageId = wsa('MessageID')?.text().trim();
  if (action === undefined || action === '')
    throw wireError(
      'Envelope/Header/wsa:Action',
      'MISSING_FIELD',
      'the interaction’s SOAP Action',
      'WS-Addressing Action is required',
    );
  if (fault === undefined && (messageId === undefined || messageId === ''))
    throw wireError(
      'Envelope/Header/wsa:MessageID',
      'MISSING_FIELD',
      'a message id (urn:uuid:...)',
      'WS-Addressing MessageID is required',
    );
  const to = wsa('To')?.text().trim();
  const replyTo = wsa('ReplyTo')?.child('Address', NS.wsa)?.text().trim();
  const relatesTo = wsa('RelatesTo')?.text().trim();
  return {
    document,
    action,
    messageId: messageId ?? '',
    ...(to !== undefined ? { to } : {}),
    ...(replyTo !== undefined ? { replyTo } : {}),
    ...(relatesTo !== undefined ? { relatesTo } : {}),
    headerBlocks: blocks.map((b) => b.el),
    notUnderstood: blocks
      .filter((b) => isTrue(b.attrNs(NS.soap, 'mustUnderstand')) && !UNDERSTOOD.has(b.ns ?? ''))
      .map((b) => `{${b.ns ?? ''}}${b.name}`),
    body: first.el,
    bodyName: first.name,
    bodyNamespace: first.ns,
    ...(fault !== undefined ? { fault } : {}),
  };
}

/** The uuid in a WS-Addressing message id (urn:uuid:<uuid>), or the id as it is. */
export function uuidOf(messageId: string): string {
  return messageId.replace(/^urn:uuid:/i, '');
}

export interface EnvelopeInput {
  action: string;
  /** A uuid or a full URI; default a fresh urn:uuid. */
  messageId?: string;
  to?: string;
  replyTo?: string;
  relatesTo?: string;
  /** More header blocks, already serialised (e.g. the signed wsse:Security of signAssertionHeader). */
  headers?: string[];
  /** The body's one element, serialised (an HL7v3 interaction). */
  body: string;
}

const asUri = (id: string) => (/^[a-z][a-z0-9+.-]*:/i.test(id) ? id : `urn:uuid:${id}`);

export function buildEnvelope(input: EnvelopeInput): string {
  const header: XChild[] = [
    el('wsa:Action', { 'soap:mustUnderstand': 'true' }, input.action),
    el('wsa:MessageID', null, asUri(input.messageId ?? randomUUID())),
    input.to !== undefined && el('wsa:To', null, input.to),
    input.replyTo !== undefined && el('wsa:ReplyTo', null, el('wsa:Address', null, input.replyTo)),
    input.relatesTo !== undefined && el('wsa:RelatesTo', null, input.relatesTo),
    (input.headers ?? []).map(raw),
  ];
  return toXml(
    el(
      'soap:Envelope',
      { 'xmlns:soap': NS.soap, 'xmlns:wsa': NS.wsa },
      el('soap:Header', null, header),
      el('soap:Body', null, raw(input.body)),
    ),
    { declaration: true },
  );
}

/** An answer on the same exchange: RelatesTo the request's MessageID, To where the request said to reply. */
export function buildAnswerEnvelope(
  request: Pick<Addressing, 'messageId' | 'replyTo'>,
  input: Omit<EnvelopeInput, 'relatesTo' | 'to'>,
): string {
  return buildEnvelope({ ...input, relatesTo: request.messageId, to: request.replyTo ?? WSA_ANONYMOUS });
}

export interface FaultInput {
  code: 'VersionMismatch' | 'MustUnderstand' | 'DataEncodingUnknown' | 'Sender' | 'Receiver';
  subcode?: string;
  reason: string;
  /** Serialised detail, e.g. an MCCI_IN000002 saying why. */
  detail?: string;
  relatesTo?: string;
}

/** A SOAP 1.2 fault: for envelopes that cannot be read as a message at all (else answer MCCI_IN000002). */
export function buildFault(input: FaultInput): string {
  const fault = el(
    'soap:Fault',
    null,
    el(
      'soap:Code',
      null,
      el('soap:Value', null, `soap:${input.code}`),
      input.subcode !== undefined && el('soap:Subcode', null, el('soap:Value', null, input.subcode)),
    ),
    el('soap:Reason', null, el('soap:Text', { 'xml:lang': 'en' }, input.reason)),
    input.detail !== undefined && el('soap:Detail', null, raw(input.detail)),
  );
  const header: XChild[] = [
    el('wsa:Action', null, WSA_FAULT_ACTION),
    el('wsa:MessageID', null, asUri(randomUUID())),
    input.relatesTo !== undefined && el('wsa:RelatesTo', null, input.relatesTo),
  ];
  return toXml(
    el(
      'soap:Envelope',
      { 'xmlns:soap': NS.soap, 'xmlns:wsa': NS.wsa },
      el('soap:Header', null, header),
      el('soap:Body', null, fault),
    ),
    { declaration: true },
  );
}
