import { setTimeout as sleep } from 'node:timers/promises';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ClockSetting, ERROR_CODES, clockState, problem, setClock, type ErrorCode } from '@schakel/contracts';
import { backupStores } from './store.js';
import { replicaNumber } from './replicas.js';
import { aortaIfAny } from './app.js';

/**
 * What a test may do to a running organisation (issue #14), kept per app: faults on the legs the switch
 * point calls, and a journal of the requests the organisation received. The operator sets them through the
 * switch point's control API; the launcher carries the command here over the IPC channel (process-control.ts).
 */
export const FAULT_KINDS = ['latency', 'error', 'malformed', 'drop', 'hang', 'down'] as const;

export const Fault = z
  .object({
    kind: z
      .enum(FAULT_KINDS)
      .describe(
        'latency: answer later; error: a problem+json answer; malformed: a 200 that is not JSON; drop: close the connection; hang: never answer; down: the process is stopped (connection refused)',
      ),
    latencyMs: z.number().int().min(0).max(120_000).optional().describe('latency: the fixed part'),
    jitterMs: z.number().int().min(0).max(120_000).optional().describe('latency: plus a random 0..jitterMs'),
    status: z.number().int().min(400).max(599).optional().describe('error: the status (default 503)'),
    code: z
      .string()
      .refine((c) => c in ERROR_CODES, 'a code from the error list')
      .optional()
      .describe('error: the problem code (default UPSTREAM_ERROR)'),
    times: z.number().int().min(1).optional().describe('apply to the next N requests only; without it, until cleared'),
  })
  .strict();
export type Fault = z.infer<typeof Fault>;

export const JournalEntry = z.object({
  at: z.string(),
  method: z.string(),
  route: z.string().describe('the route pattern, never the URL: no patient identifier'),
  audience: z.string().optional(),
  interaction: z.string().optional(),
  status: z.number().int(),
  ms: z.number(),
  initialRequestId: z.string().optional(),
  requestId: z.string().optional(),
  fault: z.enum(FAULT_KINDS).optional().describe('the fault that shaped this answer'),
  replica: z.number().int().optional().describe('the replica that answered, when several serve one address'),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/**
 * One exchange an organisation received while a recording ran (docs/control.md, "Record and replay"):
 * with its bodies as they were, so it stays in this process's memory only until the switch point collects
 * it and pseudonymises the lot (recording.ts). It never goes to a log or a file as it is.
 */
export const CapturedExchange = JournalEntry.extend({
  url: z.string(),
  requestType: z.string().optional(),
  request: z.string().optional(),
  responseType: z.string().optional(),
  response: z.string().optional(),
});
export type CapturedExchange = z.infer<typeof CapturedExchange>;
/** The legs of the switch point: a connected system calling it, and it calling a source or a GP. */
export const RECORDED_AUDIENCES: readonly string[] = ['system', 'switch-point-legs'];

export type OrganisationCommand =
  | { kind: 'recording.start' }
  | { kind: 'recording.stop' }
  | { kind: 'fault.set'; fault: Fault }
  | { kind: 'fault.clear' }
  | { kind: 'fault.get' }
  | { kind: 'journal.get' }
  | { kind: 'journal.clear' }
  | { kind: 'snapshot.save'; dir: string }
  | { kind: 'clock.set'; setting: ClockSetting };

const JOURNAL_LIMIT = 2_000;
const FAULTED = Symbol('faulted');
type Faulted = FastifyRequest & { [FAULTED]?: Fault['kind'] };
const SENT = Symbol('sent');
type Sent = FastifyRequest & { [SENT]?: string };
/** A recording holds bodies in memory: bounded, like the journal. */
const RECORDING_LIMIT = 2_000;

const asText = (body: unknown): string | undefined => {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return JSON.stringify(body);
};
const recorded = (request: FastifyRequest): boolean =>
  RECORDED_AUDIENCES.includes((request.routeOptions.config as { audience?: string }).audience ?? '');

export function createControls() {
  let fault: (Fault & { left?: number }) | undefined;
  const journal: JournalEntry[] = [];
  const replica = replicaNumber();
  let recording: CapturedExchange[] | undefined;
  const hung = new Set<Socket>();

  /** The fault for this request, counting down `times`. */
  const take = (): Fault | undefined => {
    if (fault === undefined) return undefined;
    const f = fault;
    if (f.left !== undefined && --f.left <= 0) fault = undefined;
    return f;
  };

  return {
    /** An onRequest hook for the legs the switch point calls (the kit adds it to that audience). */
    applyFault: async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const f = take();
      if (f === undefined || f.kind === 'down') return;
      (request as Faulted)[FAULTED] = f.kind;
      switch (f.kind) {
        case 'latency':
          await sleep((f.latencyMs ?? 0) + Math.floor(Math.random() * (f.jitterMs ?? 0)));
          return;
        case 'error': {
          const code = (f.code ?? 'UPSTREAM_ERROR') as ErrorCode;
          const p = problem(code, 'A fault injected by the operator (docs/control.md)').problem;
          await reply
            .code(f.status ?? 503)
            .type('application/problem+json')
            .send({ ...p, status: f.status ?? 503 });
          return;
        }
        case 'malformed':
          await reply.code(200).type('application/json').send('{"batch": [ this is not JSON');
          return;
        case 'drop':
          reply.hijack();
          request.raw.socket.destroy();
          return;
        case 'hang': {
          // Never answer: the caller's time-out decides. The socket is closed when the app closes.
          reply.hijack();
          const socket = request.raw.socket;
          hung.add(socket);
          socket.once('close', () => hung.delete(socket));
          return;
        }
      }
    },
    /** An onSend hook for every route: while a recording runs, keep what a recorded leg answered. */
    capture: async (request: FastifyRequest, _reply: FastifyReply, payload: unknown): Promise<unknown> => {
      if (recording !== undefined && recorded(request)) (request as Sent)[SENT] = asText(payload);
      return payload;
    },
    /**
     * An onResponse hook for every route: the journal (route patterns and ids, never a body or a URL). Its
     * times are real time, like the service log's: it records traffic, not domain facts.
     */
    record: async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const config = request.routeOptions.config as { audience?: string; interaction?: string };
      const aorta = aortaIfAny(request);
      journal.push({
        at: new Date().toISOString(),
        method: request.method,
        route: request.routeOptions.url ?? '(no route)',
        ...(config.audience !== undefined ? { audience: config.audience } : {}),
        ...(config.interaction !== undefined ? { interaction: config.interaction } : {}),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(aorta !== undefined ? { initialRequestId: aorta.initialRequestId, requestId: aorta.requestId } : {}),
        ...((request as Faulted)[FAULTED] !== undefined ? { fault: (request as Faulted)[FAULTED] } : {}),
        ...(replica !== undefined ? { replica } : {}),
      });
      // Trimmed in batches (moving 2,000 entries on every request cost more than the rest of the hook); the
      // journal answered is still the newest JOURNAL_LIMIT entries.
      if (journal.length >= 2 * JOURNAL_LIMIT) journal.splice(0, journal.length - JOURNAL_LIMIT);
      if (recording !== undefined && recorded(request)) {
        const entry = journal.at(-1) as JournalEntry;
        const requestType = request.headers['content-type'];
        const responseType = reply.getHeader('content-type');
        const requestBody = asText(request.body);
        const responseBody = (request as Sent)[SENT];
        recording.push({
          ...entry,
          url: request.url,
          ...(requestType !== undefined ? { requestType } : {}),
          ...(requestBody !== undefined ? { request: requestBody } : {}),
          ...(typeof responseType === 'string' ? { responseType } : {}),
          ...(responseBody !== undefined ? { response: responseBody } : {}),
        });
        if (recording.length > RECORDING_LIMIT) recording.splice(0, recording.length - RECORDING_LIMIT);
      }
    },
    /** A command from the operator; answers what the control API returns. */
    async handle(command: OrganisationCommand): Promise<unknown> {
      switch (command.kind) {
        case 'recording.start':
          recording = [];
          return { recording: true };
        case 'recording.stop': {
          // Handed to the switch point once, and gone from here.
          const exchanges = recording ?? [];
          recording = undefined;
          return { exchanges };
        }
        case 'snapshot.save':
          return { files: await backupStores(command.dir) };
        case 'fault.set':
          fault = { ...command.fault, ...(command.fault.times !== undefined ? { left: command.fault.times } : {}) };
          return { fault: command.fault };
        case 'fault.clear':
          fault = undefined;
          return { fault: null };
        case 'fault.get':
          return { fault: fault === undefined ? null : { ...fault, left: undefined } };
        case 'journal.get':
          return { entries: journal.slice(-JOURNAL_LIMIT) };
        case 'journal.clear':
          journal.length = 0;
          return { entries: [] };
        case 'clock.set':
          // The clock is the process's (every app in it shares it): see @schakel/contracts clock.ts.
          setClock(ClockSetting.parse(command.setting));
          return clockState();
      }
    },
    close(): void {
      for (const socket of hung) socket.destroy();
    },
  };
}
export type Controls = ReturnType<typeof createControls>;
