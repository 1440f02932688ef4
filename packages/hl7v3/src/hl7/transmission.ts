import { randomUUID } from 'node:crypto';
import { OID } from '@schakel/contracts';
import { el, type XChild, type XElement } from '../xml/build.js';
import { wireError, type Reader } from '../xml/read.js';
import { CODE_SYSTEM, NS, WRAPPER, messageIdRoot } from '../oids.js';
import {
  dateTimeToTs,
  ii,
  nowIso,
  readCode,
  readIdExtension,
  readIi,
  readNumber,
  readTsDateTime,
  xsiType,
  type Code,
  type Ii,
} from './datatypes.js';

/**
 * The HL7v3 transmission wrapper every AORTA message starts with: id, creationTime, versionCode,
 * interactionId (root 2.16.840.1.113883.1.6), profileId, processingCode, processingModeCode, acceptAckCode,
 * for answers an acknowledgement of the request, attention lines, and the receiver and sender devices,
 * each a GBZ application id (2.16.840.1.113883.2.4.6.6). The order follows MCCI_MT000100/000300.
 */
export type ProcessingCode = 'P' | 'T' | 'D';
export type AcceptAckCode = 'AL' | 'ER' | 'NE';
export type AckTypeCode = 'AA' | 'AE' | 'AR';

export interface Organisation {
  ura: string;
  name?: string;
}

/** A sending or receiving system: its application id, and optionally the organisation it acts for. */
export interface Device {
  applicationId: string;
  organisation?: Organisation;
}

export interface CodeWithTranslations extends Code {
  translations?: Code[];
}

/** One acknowledgementDetail: E error, W warning, I information. */
export interface AckDetail {
  typeCode: 'E' | 'W' | 'I';
  code?: CodeWithTranslations;
  text?: string;
  location?: string;
}

export interface Acknowledgement {
  typeCode: AckTypeCode;
  targetMessageId: Ii;
  details: AckDetail[];
}

/** Key and value for the receiver (attentionLine): Schakel puts what HL7 has no place for here. */
export interface AttentionLine {
  key: string;
  value: string | number | boolean;
}

export interface Transmission {
  interaction: string;
  id: Ii;
  /** The id's extension (a uuid for Schakel's messages), or its root when it has none. */
  messageId: string;
  creationTime: string;
  processingCode: ProcessingCode;
  processingModeCode: string;
  acceptAckCode: AcceptAckCode;
  sender: Device;
  receiver: Device;
  acknowledgement?: Acknowledgement;
  attentionLines: AttentionLine[];
}

export interface TransmissionInput {
  /** A uuid (its root is the sender's message id root) or a whole id; default a fresh uuid. */
  id?: string | Ii;
  /** ISO 8601 with offset; default now. */
  creationTime?: string;
  /** P production, T test/training, D debugging; default P. */
  processingCode?: ProcessingCode;
  acceptAckCode?: AcceptAckCode;
  sender: Device;
  receiver: Device;
  acknowledgement?: { typeCode: AckTypeCode; targetMessageId: string | Ii; details?: AckDetail[] };
  attentionLines?: AttentionLine[];
}

/** A message id as an II: a uuid goes under the sender's root, anything else is taken as it is. */
export function toIi(id: string | Ii, senderApplicationId: string): Ii {
  return typeof id === 'string' ? { root: messageIdRoot(senderApplicationId), extension: id } : id;
}

export function deviceElement(name: 'receiver' | 'sender', d: Device): XElement {
  return el(
    name,
    { typeCode: name === 'receiver' ? 'RCV' : 'SND' },
    el(
      'device',
      { classCode: 'DEV', determinerCode: 'INSTANCE' },
      ii('id', { root: OID.applicationId, extension: d.applicationId }),
      d.organisation !== undefined &&
        el(
          'agencyFor',
          { classCode: 'AGNT' },
          el(
            'representedOrganization',
            { classCode: 'ORG', determinerCode: 'INSTANCE' },
            ii('id', { root: OID.ura, extension: d.organisation.ura }),
            d.organisation.name !== undefined && el('name', null, d.organisation.name),
          ),
        ),
    ),
  );
}

export function ackDetailElement(d: AckDetail): XElement {
  return el(
    'acknowledgementDetail',
    { typeCode: d.typeCode },
    d.code !== undefined &&
      el(
        'code',
        { code: d.code.code, codeSystem: d.code.codeSystem, displayName: d.code.displayName },
        (d.code.translations ?? []).map((t) =>
          el('translation', { code: t.code, codeSystem: t.codeSystem, displayName: t.displayName }),
        ),
      ),
    d.text !== undefined && el('text', null, d.text),
    d.location !== undefined && el('location', null, d.location),
  );
}

export function attentionLineElement(a: AttentionLine): XElement {
  const value =
    typeof a.value === 'boolean'
      ? el('value', { 'xsi:type': 'BL', value: a.value ? 'true' : 'false' })
      : typeof a.value === 'number'
        ? el('value', { 'xsi:type': 'INT', value: String(a.value) })
        : el('value', { 'xsi:type': 'ST' }, a.value);
  return el('attentionLine', null, el('keyWordText', { code: a.key, codeSystem: CODE_SYSTEM.attention }, a.key), value);
}

/** The root element of an HL7v3 interaction, with its wrapper and then `payload` (the ControlActProcess). */
export function transmissionWrapper(
  interaction: string,
  input: TransmissionInput,
  defaults: { acceptAckCode: AcceptAckCode },
  ...payload: XChild[]
): XElement {
  const id = toIi(input.id ?? randomUUID(), input.sender.applicationId);
  const ack = input.acknowledgement;
  return el(
    interaction,
    { xmlns: NS.hl7, 'xmlns:xsi': NS.xsi },
    ii('id', id),
    el('creationTime', { value: dateTimeToTs(input.creationTime ?? nowIso()) }),
    el('versionCode', { code: WRAPPER.versionCode }),
    ii('interactionId', { root: CODE_SYSTEM.interaction, extension: interaction }),
    ii('profileId', { root: CODE_SYSTEM.profile, extension: WRAPPER.profileExtension }),
    el('processingCode', { code: input.processingCode ?? 'P' }),
    el('processingModeCode', { code: 'T' }),
    el('acceptAckCode', { code: input.acceptAckCode ?? defaults.acceptAckCode }),
    ack !== undefined &&
      el(
        'acknowledgement',
        { typeCode: ack.typeCode },
        (ack.details ?? []).map(ackDetailElement),
        el('targetMessage', null, ii('id', toIi(ack.targetMessageId, input.receiver.applicationId))),
      ),
    (input.attentionLines ?? []).map(attentionLineElement),
    deviceElement('receiver', input.receiver),
    deviceElement('sender', input.sender),
    ...payload,
  );
}

export function readDevice(r: Reader): Device {
  const device = r.need('device');
  const applicationId = readIdExtension(device.need('id'), OID.applicationId);
  const org = device.child('agencyFor')?.child('representedOrganization');
  if (org === undefined) return { applicationId };
  const ura = readIdExtension(org.need('id'), OID.ura);
  const name = org.child('name')?.text();
  return { applicationId, organisation: name === undefined ? { ura } : { ura, name } };
}

export function readAckDetail(r: Reader): AckDetail {
  const typeCode = r.attr('typeCode') ?? 'E';
  if (typeCode !== 'E' && typeCode !== 'W' && typeCode !== 'I')
    throw wireError(`${r.path}/@typeCode`, 'INVALID_VALUE', 'E, W or I', `unknown typeCode ${typeCode}`);
  const codeEl = r.child('code');
  const text = r.child('text')?.text();
  const location = r.child('location')?.text();
  let code: CodeWithTranslations | undefined;
  if (codeEl !== undefined) {
    const translations = codeEl.all('translation').map((t) => readCode(t));
    code = { ...readCode(codeEl), ...(translations.length > 0 ? { translations } : {}) };
  }
  return {
    typeCode,
    ...(code !== undefined ? { code } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(location !== undefined ? { location } : {}),
  };
}

export function readAttentionLine(r: Reader): AttentionLine {
  const keyEl = r.need('keyWordText');
  const key = keyEl.attr('code') ?? keyEl.text();
  const v = r.need('value');
  switch (xsiType(v)) {
    case 'BL':
      return { key, value: v.attr('value') === 'true' };
    case 'INT':
      return { key, value: readNumber(v) };
    default:
      return { key, value: v.text() };
  }
}

export function readAcknowledgement(r: Reader): Acknowledgement {
  const typeCode = r.needAttr('typeCode');
  if (typeCode !== 'AA' && typeCode !== 'AE' && typeCode !== 'AR')
    throw wireError(`${r.path}/@typeCode`, 'INVALID_VALUE', 'AA, AE or AR', `unknown typeCode ${typeCode}`);
  return {
    typeCode,
    targetMessageId: readIi(r.need('targetMessage').need('id')),
    details: r.all('acknowledgementDetail').map(readAckDetail),
  };
}

/** Read and check the wrapper: the interactionId must name the root element (as Nictiz's schematron says). */
export function readTransmission(root: Reader, expected?: readonly string[]): Transmission {
  if (root.ns !== NS.hl7)
    throw wireError(root.path, 'INVALID_VALUE', `an element in ${NS.hl7}`, `the message is not in the HL7v3 namespace`);
  if (expected !== undefined && !expected.includes(root.name))
    throw wireError(
      root.path,
      'INVALID_VALUE',
      expected.join(' or '),
      `expected ${expected.join(' or ')}, got ${root.name}`,
    );
  const interactionId = readIi(root.need('interactionId'), CODE_SYSTEM.interaction);
  if (interactionId.extension !== root.name) {
    throw wireError(
      `${root.path}/interactionId/@extension`,
      'INVALID_VALUE',
      root.name,
      `interactionId ${interactionId.extension ?? '(none)'} does not name the message ${root.name}`,
    );
  }
  const id = readIi(root.need('id'));
  const processingCode = root.need('processingCode').needAttr('code');
  if (processingCode !== 'P' && processingCode !== 'T' && processingCode !== 'D')
    throw wireError(
      `${root.path}/processingCode/@code`,
      'INVALID_VALUE',
      'P, T or D',
      `unknown processingCode ${processingCode}`,
    );
  const acceptAckCode = root.need('acceptAckCode').needAttr('code');
  if (acceptAckCode !== 'AL' && acceptAckCode !== 'ER' && acceptAckCode !== 'NE')
    throw wireError(
      `${root.path}/acceptAckCode/@code`,
      'INVALID_VALUE',
      'AL, ER or NE',
      `unknown acceptAckCode ${acceptAckCode}`,
    );
  const ack = root.child('acknowledgement');
  return {
    interaction: root.name,
    id,
    messageId: id.extension ?? id.root,
    creationTime: readTsDateTime(root.need('creationTime')),
    processingCode,
    processingModeCode: root.need('processingModeCode').needAttr('code'),
    acceptAckCode,
    sender: readDevice(root.need('sender')),
    receiver: readDevice(root.need('receiver')),
    ...(ack !== undefined ? { acknowledgement: readAcknowledgement(ack) } : {}),
    attentionLines: root.all('attentionLine').map(readAttentionLine),
  };
}

/** Attention lines as a map, for decoders that look keys up. */
export function attentionMap(t: Transmission): Map<string, string | number | boolean> {
  return new Map(t.attentionLines.map((a) => [a.key, a.value]));
}
