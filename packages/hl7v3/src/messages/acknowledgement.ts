import { ERROR_CODES, ReportAcknowledgement, ReportRouting, type ErrorCode, type Problem } from '@schakel/contracts';
import { toXml } from '../xml/build.js';
import { validated, wireError } from '../xml/read.js';
import { CODE_SYSTEM } from '../oids.js';
import type { Code, Ii } from '../hl7/datatypes.js';
import { messageRoot, type XmlInput } from '../hl7/message.js';
import {
  attentionMap,
  readTransmission,
  transmissionWrapper,
  type AckDetail,
  type AckTypeCode,
  type Acknowledgement,
  type AttentionLine,
  type Transmission,
  type TransmissionInput,
} from '../hl7/transmission.js';

/**
 * MCCI_IN000002, the acknowledgement: AA accepted, AE error (the sender may try again), AR rejected (it must
 * not). Each acknowledgementDetail has a code, readable text and a location. AORTA's detail codes travel as
 * the code: NAT, KEY204 and KEY205 are HL7 ActCode (ActDetectedIssueCode), VALIDATIEFOUT is AORTA's own
 * list; Schakel's stable problem code rides along as a translation, so both sides keep the full vocabulary.
 */
export const ACKNOWLEDGEMENT = 'MCCI_IN000002';

export interface AcknowledgementMessage {
  interaction: typeof ACKNOWLEDGEMENT;
  transmission: Transmission & { acknowledgement: Acknowledgement };
}

export type AcknowledgementInput = Omit<TransmissionInput, 'acknowledgement'> & {
  acknowledgement: { typeCode: AckTypeCode; targetMessageId: string | Ii; details?: AckDetail[] };
};

export function encodeAcknowledgement(transmission: AcknowledgementInput): string {
  return toXml(transmissionWrapper(ACKNOWLEDGEMENT, transmission, { acceptAckCode: 'NE' }));
}

export function decodeAcknowledgement(input: XmlInput): AcknowledgementMessage {
  const root = messageRoot(input);
  const transmission = readTransmission(root, [ACKNOWLEDGEMENT]);
  if (transmission.acknowledgement === undefined)
    throw wireError(
      `${root.path}/acknowledgement`,
      'MISSING_FIELD',
      'an acknowledgement',
      'MCCI_IN000002 acknowledges a message',
    );
  return {
    interaction: ACKNOWLEDGEMENT,
    transmission: { ...transmission, acknowledgement: transmission.acknowledgement },
  };
}

// ---- the detail code vocabulary ----

const ACT_CODE_DETAILS = new Set(['NAT', 'KEY204', 'KEY205']);

/** AORTA's detail code with the code system it belongs to. */
export function hl7DetailCode(code: string, displayName?: string): Code {
  return {
    code,
    codeSystem: ACT_CODE_DETAILS.has(code) ? CODE_SYSTEM.actCode : CODE_SYSTEM.aortaAckDetail,
    ...(displayName !== undefined ? { displayName } : {}),
  };
}

/** A Schakel problem code as a detail code: AORTA's code when it has one, with ours as translation. */
export function problemDetailCode(code: string, displayName?: string): AckDetail['code'] {
  const hl7 = (ERROR_CODES as Record<string, { hl7: string | undefined }>)[code]?.hl7;
  const own = { code, codeSystem: CODE_SYSTEM.problem };
  return hl7 !== undefined
    ? { ...hl7DetailCode(hl7, displayName), translations: [own] }
    : { ...own, ...(displayName !== undefined ? { displayName } : {}) };
}

/** The Schakel problem code a detail carries (translation or code), else the nearest for an AORTA code. */
export function problemCodeOf(detail: AckDetail | undefined, typeCode: AckTypeCode): ErrorCode {
  const codes = detail?.code !== undefined ? [detail.code, ...(detail.code.translations ?? [])] : [];
  const own = codes.find((c) => c.codeSystem === CODE_SYSTEM.problem)?.code;
  if (own !== undefined && own in ERROR_CODES) return own as ErrorCode;
  switch (codes[0]?.code) {
    case 'NAT':
      return 'NOT_AUTHORISED';
    case 'KEY204':
      return 'NOT_FOUND';
    case 'KEY205':
      return 'CONFLICT';
    case 'VALIDATIEFOUT':
      return 'VALIDATION_ERROR';
    default:
      return typeCode === 'AE' ? 'UPSTREAM_ERROR' : 'NOT_AUTHORISED';
  }
}

// ---- problems ----

/** AE when trying again may help (time-outs, overload, a failing system), AR otherwise. */
export function ackTypeForProblem(p: Pick<Problem, 'status'>): AckTypeCode {
  return p.status >= 500 || p.status === 408 || p.status === 429 ? 'AE' : 'AR';
}

const decisionDetail = (d: NonNullable<Problem['decision']>): AckDetail => ({
  typeCode: 'I',
  code: { code: d.code, codeSystem: CODE_SYSTEM.decision, displayName: d.rule },
  text: d.explanation,
});

/** The acknowledgement content for a problem: details and attention lines (also used per source in a batch). */
export function problemAcknowledgement(p: Problem): {
  typeCode: AckTypeCode;
  details: AckDetail[];
  attentionLines: AttentionLine[];
} {
  const main: AckDetail = {
    typeCode: 'E',
    code:
      p.hl7 !== undefined
        ? { ...hl7DetailCode(p.hl7, p.title), translations: [{ code: p.code, codeSystem: CODE_SYSTEM.problem }] }
        : { code: p.code, codeSystem: CODE_SYSTEM.problem, displayName: p.title },
    ...(p.detail !== undefined ? { text: p.detail } : {}),
    ...(p.field !== undefined ? { location: p.field } : {}),
  };
  const errors: AckDetail[] = (p.errors ?? []).map((e) => ({
    typeCode: 'E',
    code: { code: e.code, codeSystem: CODE_SYSTEM.problem, displayName: e.expected },
    text: e.message,
    location: e.field,
  }));
  const lines: AttentionLine[] = [];
  if (p.expected !== undefined) lines.push({ key: 'expected', value: p.expected });
  if (p.decision?.consentRecordId !== undefined)
    lines.push({ key: 'consentRecordId', value: p.decision.consentRecordId });
  if (p.aortaId !== undefined) lines.push({ key: 'aortaId', value: p.aortaId });
  if (p.instance !== undefined) lines.push({ key: 'instance', value: p.instance });
  if (p.errors !== undefined) lines.push({ key: 'errors', value: p.errors.length });
  return {
    typeCode: ackTypeForProblem(p),
    details: [main, ...errors, ...(p.decision !== undefined ? [decisionDetail(p.decision)] : [])],
    attentionLines: lines,
  };
}

export function acknowledgementFromProblem(
  p: Problem,
  options: { transmission: Omit<TransmissionInput, 'acknowledgement' | 'attentionLines'>; inResponseTo: string | Ii },
): string {
  const { typeCode, details, attentionLines } = problemAcknowledgement(p);
  return encodeAcknowledgement({
    ...options.transmission,
    acknowledgement: { typeCode, targetMessageId: options.inResponseTo, details },
    attentionLines,
  });
}

/** Rebuild the problem an AE/AR acknowledgement carries (undefined for AA). */
export function problemFromAcknowledgement(
  ack: Pick<Transmission, 'attentionLines'> & { acknowledgement: Acknowledgement },
): Problem | undefined {
  const { typeCode, details } = ack.acknowledgement;
  if (typeCode === 'AA') return undefined;
  const lines = new Map(ack.attentionLines.map((a) => [a.key, a.value]));
  const errorDetails = details.filter((d) => d.typeCode === 'E');
  const main = errorDetails[0];
  const code = problemCodeOf(main, typeCode);
  const def = ERROR_CODES[code];
  const hl7 = main?.code !== undefined && main.code.codeSystem !== CODE_SYSTEM.problem ? main.code.code : def.hl7;
  const errorCount = typeof lines.get('errors') === 'number' ? (lines.get('errors') as number) : 0;
  const errors = errorDetails.slice(1, 1 + errorCount).map((d) => ({
    field: d.location ?? '',
    code: d.code?.code ?? '',
    expected: d.code?.displayName ?? '',
    message: d.text ?? '',
  }));
  const decision = details.find((d) => d.typeCode === 'I' && d.code?.codeSystem === CODE_SYSTEM.decision);
  const str = (k: string) => (typeof lines.get(k) === 'string' ? (lines.get(k) as string) : undefined);
  const consentRecordId = lines.get('consentRecordId');
  return {
    type: `https://schakel.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: def.title,
    status: def.status,
    code,
    ...(main?.text !== undefined ? { detail: main.text } : {}),
    ...(main?.location !== undefined ? { field: main.location } : {}),
    ...(str('expected') !== undefined ? { expected: str('expected')! } : {}),
    ...(lines.has('errors') ? { errors } : {}),
    ...(hl7 !== undefined ? { hl7 } : {}),
    ...(str('instance') !== undefined ? { instance: str('instance')! } : {}),
    ...(str('aortaId') !== undefined ? { aortaId: str('aortaId')! } : {}),
    ...(decision !== undefined
      ? {
          decision: {
            code: decision.code!.code,
            rule: decision.code!.displayName ?? '',
            ...(typeof consentRecordId === 'number' ? { consentRecordId } : {}),
            explanation: decision.text ?? '',
          },
        }
      : {}),
  };
}

// ---- the observation report's acknowledgement ----

/**
 * The GP's acknowledgement of a report (ReportAcknowledgement) or the switch point's answer to the sender
 * (ReportRouting, which adds where the report went). The target is the report's message id; duplicate,
 * receivedAt and deliveredTo travel as attention lines.
 */
export function encodeReportAcknowledgement(
  input: ReportAcknowledgement | ReportRouting,
  options: { transmission: Omit<TransmissionInput, 'acknowledgement' | 'attentionLines'> },
): string {
  const ack: ReportAcknowledgement & { deliveredTo?: ReportRouting['deliveredTo'] } =
    'deliveredTo' in input
      ? validated(ReportRouting, input, 'ReportRouting')
      : validated(ReportAcknowledgement, input, 'ReportAcknowledgement');
  const details: AckDetail[] =
    ack.code !== undefined || ack.reason !== undefined
      ? [
          {
            typeCode: ack.acknowledgement === 'AA' ? 'I' : 'E',
            ...(ack.code !== undefined ? { code: problemDetailCode(ack.code) } : {}),
            ...(ack.reason !== undefined ? { text: ack.reason } : {}),
          },
        ]
      : [];
  const lines: AttentionLine[] = [{ key: 'duplicate', value: ack.duplicate }];
  if (ack.receivedAt !== undefined) lines.push({ key: 'receivedAt', value: ack.receivedAt });
  if (ack.deliveredTo !== undefined) {
    lines.push(
      { key: 'deliveredTo.applicationId', value: ack.deliveredTo.applicationId },
      { key: 'deliveredTo.ura', value: ack.deliveredTo.ura },
      { key: 'deliveredTo.organisationName', value: ack.deliveredTo.organisationName },
    );
  }
  return encodeAcknowledgement({
    ...options.transmission,
    acknowledgement: { typeCode: ack.acknowledgement, targetMessageId: ack.messageId, details },
    attentionLines: lines,
  });
}

export function decodeReportAcknowledgement(input: XmlInput): {
  transmission: Transmission;
  acknowledgement: ReportAcknowledgement | ReportRouting;
} {
  const { transmission } = decodeAcknowledgement(input);
  const ack = transmission.acknowledgement;
  const lines = attentionMap(transmission);
  const detail = ack.details[0];
  const codes = detail?.code !== undefined ? [detail.code, ...(detail.code.translations ?? [])] : [];
  const code = codes.find((c) => c.codeSystem === CODE_SYSTEM.problem)?.code ?? codes[0]?.code;
  const receivedAt = lines.get('receivedAt');
  const base = {
    interaction: ACKNOWLEDGEMENT,
    messageId: ack.targetMessageId.extension ?? ack.targetMessageId.root,
    acknowledgement: ack.typeCode,
    duplicate: lines.get('duplicate') === true,
    ...(code !== undefined ? { code } : {}),
    ...(detail?.text !== undefined ? { reason: detail.text } : {}),
    ...(typeof receivedAt === 'string' ? { receivedAt } : {}),
  };
  const to = lines.get('deliveredTo.applicationId');
  if (to === undefined)
    return { transmission, acknowledgement: validated(ReportAcknowledgement, base, ACKNOWLEDGEMENT) };
  const routing = {
    ...base,
    deliveredTo: {
      applicationId: String(to),
      ura: String(lines.get('deliveredTo.ura') ?? ''),
      organisationName: String(lines.get('deliveredTo.organisationName') ?? ''),
    },
  };
  return { transmission, acknowledgement: validated(ReportRouting, routing, ACKNOWLEDGEMENT) };
}
