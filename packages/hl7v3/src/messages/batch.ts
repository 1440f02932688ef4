import { randomUUID } from 'node:crypto';
import { QueryBatch, type BatchSourceEntry, type SourceStatus } from '@schakel/contracts';
import { el, toXml, type XElement } from '../xml/build.js';
import { validated, wireError, type Reader } from '../xml/read.js';
import type { XmlLimits } from '../xml/parse.js';
import { CODE_SYSTEM, WRAPPER } from '../oids.js';
import { dateTimeToTs, ii, nowIso, readIi, readTsDateTime, type Ii } from '../hl7/datatypes.js';
import { messageRoot, type XmlInput } from '../hl7/message.js';
import {
  ackDetailElement,
  attentionMap,
  deviceElement,
  readAckDetail,
  readDevice,
  readTransmission,
  toIi,
  transmissionWrapper,
  type AckDetail,
  type AckTypeCode,
  type AttentionLine,
  type Device,
  type ProcessingCode,
} from '../hl7/transmission.js';
import { medicationAnswerPayload, readMedicationAnswerPayload } from './medication-answer.js';
import { readSummaryAnswerPayload, summaryAnswerPayload } from './summary-answer.js';
import { problemDetailCode } from './acknowledgement.js';

/**
 * MCCI_IN200101, the batch in which the switch point returns a fanned-out query: one message per source.
 *
 * - A source that answered (status ok or no-data) is its answer message, QURX_IN990013NL (QURX_IN990113NL
 *   for the dispense-list query) or QUPC_IN990002NL, sent by that source's device (application id, and the
 *   organisation by URA and name), acknowledgement AA of the query.
 * - A source that was not asked (refused), timed out, was unreachable or failed is an MCCI_IN000002 in the
 *   source's name: AR for refused, AE for the others (trying again may help). A source that was asked and
 *   declined to share despite consent is refused too, with contacted true and its own decision
 *   (HOLDER_DECLINED); the texts say "declined to share" rather than "not asked".
 * - In every one of them, an acknowledgementDetail of type I carries the switch point's decision for that
 *   source (code, rule as displayName, explanation as text), one of type E the error if any, and attention
 *   lines carry the status, organisation type, whether it was contacted and how long it took.
 * - The batch's own acknowledgement is AA when every source asked answered (complete), AE otherwise, with
 *   one acknowledgementDetail per source without an answer (W refused, E the others) whose location points
 *   at that source's message; batchComment lines carry the interaction, data category, BSN and AORTA-ID.
 */
export const BATCH = 'MCCI_IN200101';
export const BATCH_ANSWER_INTERACTIONS = ['QURX_IN990013NL', 'QURX_IN990113NL', 'QUPC_IN990002NL'] as const;
export type BatchAnswerInteraction = (typeof BATCH_ANSWER_INTERACTIONS)[number];

export interface BatchOptions {
  transmission: {
    id?: string | Ii;
    creationTime?: string;
    processingCode?: ProcessingCode;
    sender: Device;
    receiver: Device;
  };
  /** The query the batch answers. */
  inResponseTo: string | Ii;
  /** The answer interaction of each source; default the batch's, QURX_IN990113NL for a dispense-list query. */
  answerInteraction?: BatchAnswerInteraction;
}

export interface BatchMessage {
  interaction: typeof BATCH;
  id: Ii;
  creationTime: string;
  sender: Device;
  receiver: Device;
  acknowledgement: { typeCode: AckTypeCode; targetTransmissionId: Ii; details: AckDetail[] };
  answerInteraction: BatchAnswerInteraction;
  batch: QueryBatch;
}

const ANSWERED: readonly SourceStatus[] = ['ok', 'no-data'];
const STATUS_TEXT: Record<SourceStatus, string> = {
  ok: 'answered with data',
  'no-data': 'answered: nothing found',
  refused: 'not asked (refused)',
  timeout: 'did not answer in time',
  unreachable: 'could not be reached',
  error: 'answered with an error',
};

/** Refused covers two cases: not asked by the switch point, or asked and the holder declined (contacted). */
const statusText = (s: BatchSourceEntry): string =>
  s.status === 'refused' && s.contacted ? 'declined to share (refused)' : STATUS_TEXT[s.status];
const sourceTypeCode = (s: SourceStatus): AckTypeCode => (ANSWERED.includes(s) ? 'AA' : s === 'refused' ? 'AR' : 'AE');
const location = (applicationId: string) => `/MCCI_IN200101/*[sender/device/id/@extension='${applicationId}']`;

function sourceDetails(s: BatchSourceEntry): AckDetail[] {
  const details: AckDetail[] = [
    {
      typeCode: 'I',
      code: { code: s.decision.code, codeSystem: CODE_SYSTEM.decision, displayName: s.decision.rule },
      text: s.decision.explanation,
    },
  ];
  if (s.error !== undefined)
    details.push({ typeCode: 'E', code: problemDetailCode(s.error.code), text: s.error.detail });
  return details;
}

function sourceLines(s: BatchSourceEntry): AttentionLine[] {
  const lines: AttentionLine[] = [
    { key: 'status', value: s.status },
    { key: 'organisationType', value: s.organisationType },
    { key: 'contacted', value: s.contacted },
  ];
  if (s.durationMs !== undefined) lines.push({ key: 'durationMs', value: Math.round(s.durationMs) });
  if (s.decision.consentRecordId !== undefined)
    lines.push({ key: 'consentRecordId', value: s.decision.consentRecordId });
  return lines;
}

function sourceMessage(
  batch: QueryBatch,
  s: BatchSourceEntry,
  options: BatchOptions,
  creationTime: string,
  answerInteraction: BatchAnswerInteraction,
): XElement {
  const answered = ANSWERED.includes(s.status);
  const interaction = answered ? answerInteraction : 'MCCI_IN000002';
  const payload = !answered
    ? []
    : answerInteraction === 'QUPC_IN990002NL'
      ? [
          el(
            'ControlActProcess',
            { moodCode: 'EVN' },
            summaryAnswerPayload({ interaction: 'QUPC_IN990002NL', summary: s.summary ?? null }),
          ),
        ]
      : [
          el(
            'ControlActProcess',
            { moodCode: 'EVN' },
            medicationAnswerPayload(
              {
                interaction: 'QURX_IN990013NL',
                dispenses: s.dispenses ?? [],
                ...(s.contraIndications !== undefined ? { contraIndications: s.contraIndications } : {}),
              },
              batch.bsn,
              { applicationId: s.applicationId, ura: s.ura },
            ),
          ),
        ];
  return transmissionWrapper(
    interaction,
    {
      id: randomUUID(),
      creationTime,
      processingCode: options.transmission.processingCode ?? 'P',
      sender: { applicationId: s.applicationId, organisation: { ura: s.ura, name: s.organisationName } },
      receiver: options.transmission.receiver,
      acknowledgement: {
        typeCode: sourceTypeCode(s.status),
        targetMessageId: options.inResponseTo,
        details: sourceDetails(s),
      },
      attentionLines: sourceLines(s),
    },
    { acceptAckCode: 'NE' },
    ...payload,
  );
}

export function encodeBatch(input: QueryBatch, options: BatchOptions): string {
  const batch = validated(QueryBatch, input, 'QueryBatch');
  const creationTime = options.transmission.creationTime ?? nowIso();
  const answerInteraction = options.answerInteraction ?? batch.interaction;
  const missing = batch.sources.filter((s) => !ANSWERED.includes(s.status));
  const details: AckDetail[] = missing.map((s) => ({
    typeCode: s.status === 'refused' ? 'W' : 'E',
    code: { code: s.status, codeSystem: CODE_SYSTEM.sourceStatus, displayName: statusText(s) },
    text: `${s.organisationName} (application id ${s.applicationId}): ${statusText(s)}; ${s.error !== undefined ? `${s.error.code}: ${s.error.detail}` : `${s.decision.code}: ${s.decision.explanation}`}`,
    location: location(s.applicationId),
  }));
  const id = toIi(options.transmission.id ?? batch.batchId, options.transmission.sender.applicationId);
  const root = el(
    BATCH,
    { xmlns: 'urn:hl7-org:v3', 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' },
    ii('id', id),
    el('creationTime', { value: dateTimeToTs(creationTime) }),
    el('versionCode', { code: WRAPPER.versionCode }),
    ii('interactionId', { root: CODE_SYSTEM.interaction, extension: BATCH }),
    ii('profileId', { root: CODE_SYSTEM.profile, extension: WRAPPER.profileExtension }),
    el('batchComment', null, `interaction: ${batch.interaction}`),
    el('batchComment', null, `category: ${batch.category}`),
    el('batchComment', null, `bsn: ${batch.bsn}`),
    el('batchComment', null, `AORTA-ID: ${batch.aortaId}`),
    el('transmissionQuantity', { value: String(batch.sources.length) }),
    el(
      'acknowledgement',
      { typeCode: batch.complete ? 'AA' : 'AE' },
      details.map(ackDetailElement),
      el('targetTransmission', null, ii('id', toIi(options.inResponseTo, options.transmission.receiver.applicationId))),
    ),
    deviceElement('receiver', options.transmission.receiver),
    deviceElement('sender', options.transmission.sender),
    batch.sources.map((s) => sourceMessage(batch, s, options, creationTime, answerInteraction)),
  );
  return toXml(root);
}

function readSource(m: Reader): BatchSourceEntry & { answer?: BatchAnswerInteraction } {
  const t = readTransmission(m, [...BATCH_ANSWER_INTERACTIONS, 'MCCI_IN000002']);
  const lines = attentionMap(t);
  const details = t.acknowledgement?.details ?? [];
  const decision = details.find((d) => d.typeCode === 'I' && d.code?.codeSystem === CODE_SYSTEM.decision);
  const error = details.find((d) => d.typeCode === 'E');
  if (decision?.code === undefined)
    throw wireError(
      `${m.path}/acknowledgement`,
      'MISSING_FIELD',
      'the decision for this source (acknowledgementDetail I)',
      'every source in a batch says why it was or was not asked',
    );
  if (t.sender.organisation === undefined)
    throw wireError(
      `${m.path}/sender/device/agencyFor`,
      'MISSING_FIELD',
      'the source organisation',
      'every source in a batch is named',
    );
  const consentRecordId = lines.get('consentRecordId');
  const durationMs = lines.get('durationMs');
  const errorCodes = error?.code !== undefined ? [error.code, ...(error.code.translations ?? [])] : [];
  const entry: BatchSourceEntry = {
    applicationId: t.sender.applicationId,
    ura: t.sender.organisation.ura,
    organisationName: t.sender.organisation.name ?? '',
    organisationType: String(lines.get('organisationType') ?? '') as BatchSourceEntry['organisationType'],
    status: String(lines.get('status') ?? '') as SourceStatus,
    decision: {
      code: decision.code.code,
      rule: decision.code.displayName ?? '',
      ...(typeof consentRecordId === 'number' ? { consentRecordId } : {}),
      explanation: decision.text ?? '',
    },
    contacted: lines.get('contacted') === true,
    ...(typeof durationMs === 'number' ? { durationMs } : {}),
    ...(error !== undefined
      ? {
          error: {
            code: errorCodes.find((c) => c.codeSystem === CODE_SYSTEM.problem)?.code ?? errorCodes[0]?.code ?? '',
            detail: error.text ?? '',
          },
        }
      : {}),
  };
  if (m.name === 'QUPC_IN990002NL') {
    const { summary } = readSummaryAnswerPayload(m);
    return { ...entry, ...(summary !== null ? { summary } : {}), answer: m.name };
  }
  if (m.name === 'QURX_IN990013NL' || m.name === 'QURX_IN990113NL') {
    const { dispenses, contraIndications } = readMedicationAnswerPayload(m);
    return {
      ...entry,
      ...(dispenses.length > 0 ? { dispenses } : {}),
      ...(contraIndications !== undefined ? { contraIndications } : {}),
      answer: m.name,
    };
  }
  return entry;
}

/** Read a batch back into the JSON QueryBatch (for tests and the example client). Batches may be large: pass limits. */
export function decodeBatch(input: XmlInput, limits: XmlLimits = { maxBytes: 16 * 1024 * 1024 }): BatchMessage {
  const root = messageRoot(input, limits);
  if (root.name !== BATCH) throw wireError(root.path, 'INVALID_VALUE', BATCH, `expected ${BATCH}, got ${root.name}`);
  const interactionId = readIi(root.need('interactionId'), CODE_SYSTEM.interaction);
  if (interactionId.extension !== BATCH)
    throw wireError(
      `${root.path}/interactionId/@extension`,
      'INVALID_VALUE',
      BATCH,
      'interactionId does not name the batch',
    );
  const comments = new Map(
    root.all('batchComment').map((c) => {
      const text = c.text();
      const i = text.indexOf(': ');
      return [i < 0 ? text : text.slice(0, i), i < 0 ? '' : text.slice(i + 2)] as const;
    }),
  );
  const ack = root.need('acknowledgement');
  const typeCode = ack.needAttr('typeCode') as AckTypeCode;
  const known = new Set<string>([...BATCH_ANSWER_INTERACTIONS, 'MCCI_IN000002']);
  const entries = root
    .elements()
    .filter((e) => e.ns === 'urn:hl7-org:v3' && known.has(e.name))
    .map(readSource);
  const answerInteraction =
    entries.find((e) => e.answer !== undefined)?.answer ??
    ((comments.get('interaction') ?? 'QURX_IN990013NL') as BatchAnswerInteraction);
  const id = readIi(root.need('id'));
  const batch = validated(
    QueryBatch,
    {
      interaction: comments.get('interaction'),
      batch: BATCH,
      batchId: id.extension ?? id.root,
      aortaId: comments.get('AORTA-ID') ?? '',
      bsn: comments.get('bsn'),
      category: comments.get('category'),
      complete: typeCode === 'AA',
      sources: entries.map(({ answer: _answer, ...entry }) => entry),
    },
    BATCH,
  );
  return {
    interaction: BATCH,
    id,
    creationTime: readTsDateTime(root.need('creationTime')),
    sender: readDevice(root.need('sender')),
    receiver: readDevice(root.need('receiver')),
    acknowledgement: {
      typeCode,
      targetTransmissionId: readIi(ack.need('targetTransmission').need('id')),
      details: ack.all('acknowledgementDetail').map(readAckDetail),
    },
    answerInteraction,
    batch,
  };
}
