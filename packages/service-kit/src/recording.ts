import { z } from 'zod';
import { FAULT_KINDS, type CapturedExchange } from './controls.js';
import { createPseudonymiser } from './pseudonyms.js';

/**
 * A recording of what passed through the switch point (issue #14, item 3; docs/control.md, "Record and
 * replay"): both legs, the connected system's call to the switch point and each of the switch point's calls
 * to a source or a GP, with their answers, correlated by the AORTA-ID. Every BSN, personal name and piece
 * of free text is pseudonymised before the recording leaves the switch point (pseudonyms.ts).
 */
export const RECORDING_FORMAT = 'schakel-recording/1';

export const RecordedExchange = z.object({
  org: z.string().describe('the process that received the call: the switch point, or a source or GP'),
  leg: z
    .enum(['requester', 'source'])
    .describe('requester: a connected system calling the switch point; source: the switch point calling a holder'),
  at: z.string(),
  method: z.string(),
  url: z.string().describe('pseudonymised'),
  route: z.string(),
  interaction: z.string().optional(),
  status: z.number().int(),
  ms: z.number(),
  initialRequestId: z.string().optional(),
  requestId: z.string().optional(),
  fault: z.enum(FAULT_KINDS).optional(),
  requestType: z.string().optional(),
  request: z.unknown().optional().describe('the body sent: JSON as JSON, XML as text, pseudonymised'),
  responseType: z.string().optional(),
  response: z.unknown().optional().describe('the body answered: JSON as JSON, XML as text, pseudonymised'),
});
export type RecordedExchange = z.infer<typeof RecordedExchange>;

export const Recording = z
  .object({
    format: z.literal(RECORDING_FORMAT),
    startedAt: z.string(),
    stoppedAt: z.string(),
    switchPoint: z.string().describe('the process id of the switch point'),
    processes: z.array(z.object({ id: z.string(), service: z.string(), name: z.string() })),
    pseudonyms: z
      .object({
        bsns: z.array(z.string()).describe('the pseudonym BSNs in this recording (never the originals)'),
        names: z.number().int(),
        texts: z.number().int(),
      })
      .describe('what was replaced: the pseudonyms of patients, and how many names and free texts'),
    missing: z.array(z.string()).default([]).describe('processes that could not be asked for their part'),
    exchanges: z.array(RecordedExchange),
  })
  .meta({ id: 'Recording' });
export type Recording = z.infer<typeof Recording>;

const isJson = (type: string | undefined) => type !== undefined && /json/i.test(type);
const isXml = (type: string | undefined) => type !== undefined && /xml/i.test(type);
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/**
 * Build the recording from what each process captured: oldest first, and every original replaced by its
 * pseudonym, consistently across all exchanges (the two passes of pseudonyms.ts).
 */
export function assembleRecording(input: {
  startedAt: string;
  switchPoint: string;
  processes: { id: string; service: string; name: string }[];
  captured: { org: string; exchanges: CapturedExchange[] }[];
  missing?: string[];
}): Recording {
  const p = createPseudonymiser();
  const all = input.captured
    .flatMap(({ org, exchanges }) => exchanges.map((e) => ({ org, e })))
    .sort((a, b) => a.e.at.localeCompare(b.e.at));
  const body = (text: string | undefined, type: string | undefined) =>
    text === undefined ? undefined : isJson(type) ? parseJson(text) : text;
  // Pass 1: find.
  for (const { e } of all) {
    p.findInUrl(e.url, e.route);
    for (const [text, type] of [
      [e.request, e.requestType],
      [e.response, e.responseType],
    ] as const) {
      if (text === undefined) continue;
      const parsed = body(text, type);
      if (typeof parsed !== 'string') p.findInJson(parsed);
      else if (isXml(type) || parsed.trimStart().startsWith('<')) p.findInXml(parsed);
    }
  }
  p.assign();
  // Pass 2: replace.
  const replaced = (text: string | undefined, type: string | undefined): unknown => {
    if (text === undefined) return undefined;
    const parsed = body(text, type);
    if (typeof parsed !== 'string') return p.replaceJson(parsed);
    if (isXml(type) || parsed.trimStart().startsWith('<')) return p.replaceXml(parsed);
    return p.replaceText(parsed);
  };
  const exchanges = all.map(({ org, e }): RecordedExchange => {
    const request = replaced(e.request, e.requestType);
    const response = replaced(e.response, e.responseType);
    return {
      org,
      leg: org === input.switchPoint ? 'requester' : 'source',
      at: e.at,
      method: e.method,
      url: p.replaceText(e.url),
      route: e.route,
      ...(e.interaction !== undefined ? { interaction: e.interaction } : {}),
      status: e.status,
      ms: e.ms,
      ...(e.initialRequestId !== undefined ? { initialRequestId: e.initialRequestId } : {}),
      ...(e.requestId !== undefined ? { requestId: e.requestId } : {}),
      ...(e.fault !== undefined ? { fault: e.fault } : {}),
      ...(e.requestType !== undefined ? { requestType: e.requestType } : {}),
      ...(request !== undefined ? { request } : {}),
      ...(e.responseType !== undefined ? { responseType: e.responseType } : {}),
      ...(response !== undefined ? { response } : {}),
    };
  });
  return {
    format: RECORDING_FORMAT,
    startedAt: input.startedAt,
    stoppedAt: new Date().toISOString(),
    switchPoint: input.switchPoint,
    processes: input.processes,
    pseudonyms: { bsns: [...p.table.bsns.values()], names: p.table.names.size, texts: p.table.texts.size },
    missing: input.missing ?? [],
    exchanges,
  };
}
