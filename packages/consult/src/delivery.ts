import { z } from 'zod';
import type { ObservationReportSubmission, ReportRouting } from '@schakel/contracts';
import { CallError, type SwitchPointClient } from '@schakel/service-kit';
import { signAssertion, type CredentialDirectory } from '@schakel/trust/assertion';
/** One message due for an attempt. */
export interface DueMessage<S> {
  messageId: string;
  /** Attempts made so far, this one included. */
  attempts: number;
  submission: S;
}

/**
 * What the delivery loop needs of a durable outbox: the observation-report outbox here, and the GP's
 * referral letters (services/gp) use the same loop with their own table.
 */
export interface DeliveryQueue<S, A = ReportRouting> {
  /** Take up to `limit` due messages (CLAIMABLE_STATES), each with a lease of `leaseMs` (claimLeaseMs). */
  claimDue(limit: number, leaseMs: number): Promise<DueMessage<S>[]>;
  nextDue(): Promise<string | undefined>;
  delivered(messageId: string, ack: A): Promise<void>;
  rejected(messageId: string, code: string, reason: string, ack?: A): Promise<void>;
  retry(messageId: string, nextAttemptAt: string, error: string): Promise<void>;
}

/** Delivery settings, from env at boot (REPORT_*); small values in tests, larger in a real deployment. */
export const reportConfigShape = {
  /** First wait after a failed attempt, in ms; it doubles per attempt (with jitter) up to the maximum. */
  REPORT_RETRY_INITIAL_MS: z.coerce.number().int().positive().default(1_000),
  REPORT_RETRY_MAX_MS: z.coerce.number().int().positive().default(60_000),
  /** How long one attempt waits for the switch point's answer (longer than its own leg to the GP). */
  REPORT_DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Attempts under way at once. */
  REPORT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
};
export type ReportConfig = z.infer<z.ZodObject<typeof reportConfigShape>>;
export const DEFAULT_REPORT_CONFIG: ReportConfig = z.object(reportConfigShape).parse({});

/** A claim's lease (leases.ts): twice the attempt's time-out (an attempt may make two calls, as a referral letter's does) and 5 s to spare. */
export const claimLeaseMs = (config: Pick<ReportConfig, 'REPORT_DELIVERY_TIMEOUT_MS'>): number =>
  2 * config.REPORT_DELIVERY_TIMEOUT_MS + 5_000;

/** How an attempt ended; `A` is what the receiver answered (an acknowledgement, for reports and letters). */
export type AttemptResult<A = ReportRouting> =
  | { kind: 'delivered'; ack: A }
  | { kind: 'rejected'; code: string; reason: string; ack?: A }
  | { kind: 'retry'; error: string };

/** Exponential backoff with "equal jitter": half fixed, half random, so senders do not retry in step. */
export function backoffMs(
  attempts: number,
  config: Pick<ReportConfig, 'REPORT_RETRY_INITIAL_MS' | 'REPORT_RETRY_MAX_MS'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(config.REPORT_RETRY_MAX_MS, config.REPORT_RETRY_INITIAL_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Refusals no retry can change: the report itself (400), the patient (404: no registered GP), or what
 * this professional may do (403 other than an unknown or misconfigured sender, which an operator fixes).
 * Everything else (401 trust problems, 5xx, time-outs, unreachable) is worth another try.
 */
const FINAL_STATUSES = new Set([400, 404, 409, 413, 415, 422]);
const RETRYABLE_403 = new Set(['UNKNOWN_SYSTEM', 'CLIENT_NOT_ALLOWED']);

/**
 * One attempt: a fresh signed assertion (a new jti: the switch point refuses a replayed one), then the
 * report through the organisation's switch-point client (its one connection pool, mutual TLS).
 */
export function createAttempt(deps: { lsp: SwitchPointClient; cards: CredentialDirectory; timeoutMs: number }) {
  return async (s: ObservationReportSubmission): Promise<AttemptResult> => {
    const card = deps.cards.get(s.sender.professional.uziNumber);
    if (card === undefined)
      return {
        kind: 'rejected',
        code: 'NO_CREDENTIAL',
        reason: `This organisation holds no UZI card for professional ${s.sender.professional.uziNumber}`,
      };
    const responsible = s.sender.responsible;
    const assertion = await signAssertion(card, {
      interaction: 'REPC_IN990003NL',
      bsn: s.bsn,
      ...(responsible !== undefined
        ? { responsible: { uziNumber: responsible.uziNumber, roleCode: responsible.roleCode } }
        : {}),
    });
    try {
      // Every attempt of one report is one conversation in every party's log.
      const ack = await deps.lsp.sendObservationReport(s, {
        aorta: { initialRequestId: s.messageId },
        timeoutMs: deps.timeoutMs,
        assertion,
      });
      switch (ack.acknowledgement) {
        case 'AA':
          return { kind: 'delivered', ack };
        case 'AR':
          return {
            kind: 'rejected',
            code: ack.code ?? 'REJECTED',
            reason: ack.reason ?? `${ack.deliveredTo.organisationName} rejected the report`,
            ack,
          };
        case 'AE':
          return {
            kind: 'retry',
            error: `AE from ${ack.deliveredTo.organisationName}: ${ack.code ?? ''} ${ack.reason ?? ''}`.trim(),
          };
      }
    } catch (err) {
      if (!(err instanceof CallError))
        return { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
      const p = err.detail.problem;
      const status = err.detail.status ?? 0;
      if (
        err.kind === 'problem' &&
        p !== undefined &&
        (FINAL_STATUSES.has(status) || (status === 403 && !RETRYABLE_403.has(p.code)))
      ) {
        return { kind: 'rejected', code: p.decision?.code ?? p.code, reason: p.detail ?? p.title };
      }
      return { kind: 'retry', error: p !== undefined ? `${status} ${p.code}: ${p.detail ?? p.title}` : err.message };
    }
  };
}

export interface DeliveryWorker {
  /** Something was queued: look now instead of at the next poll. */
  kick: () => void;
  /** Stop taking work; wait a little for attempts under way (the rest are recovered at the next start). */
  stop: () => Promise<void>;
}

/**
 * The delivery loop: a setTimeout chain, never an interval, so that a slow store or network never piles
 * up ticks. At most `REPORT_CONCURRENCY` attempts are under way; each settles its report as delivered,
 * rejected or retrying with its next attempt time. Started once the app is ready, stopped when it closes.
 */
export function startDeliveryWorker<S = ObservationReportSubmission, A = ReportRouting>(deps: {
  outbox: DeliveryQueue<S, A>;
  attempt: (s: S) => Promise<AttemptResult<A>>;
  config: ReportConfig;
  /** What is delivered, for the log lines (default: observation report). */
  what?: string;
  /** What a log line says about a delivered message's acknowledgement (default: a report's receiver). */
  describeAck?: (ack: A) => object;
  log: {
    info: (o: object, m: string) => void;
    warn: (o: object, m: string) => void;
    error: (o: object, m: string) => void;
  };
  /** Longest wait between two looks at the outbox when nothing is due sooner. */
  pollMs?: number;
  /** How long stop() waits for attempts under way. */
  graceMs?: number;
}): DeliveryWorker {
  const pollMs = deps.pollMs ?? 1_000;
  const leaseMs = claimLeaseMs(deps.config);
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let busy = false;
  let again = false;

  const what = deps.what ?? 'observation report';
  const describe =
    deps.describeAck ??
    ((ack: A) => {
      const routed = ack as unknown as ReportRouting;
      return { to: routed.deliveredTo.applicationId, duplicate: routed.duplicate };
    });
  async function settle(item: DueMessage<S>): Promise<void> {
    const result = await deps.attempt(item.submission).catch((err: unknown): AttemptResult<A> => ({
      kind: 'retry',
      error: err instanceof Error ? err.message : String(err),
    }));
    const fields = { messageId: item.messageId, attempts: item.attempts };
    switch (result.kind) {
      case 'delivered':
        await deps.outbox.delivered(item.messageId, result.ack);
        deps.log.info({ ...fields, ...describe(result.ack) }, `${what} delivered`);
        break;
      case 'rejected':
        await deps.outbox.rejected(item.messageId, result.code, result.reason, result.ack);
        deps.log.warn({ ...fields, code: result.code }, `${what} rejected; not tried again`);
        break;
      case 'retry': {
        const wait = backoffMs(item.attempts, deps.config);
        await deps.outbox.retry(item.messageId, new Date(Date.now() + wait).toISOString(), result.error);
        deps.log.warn({ ...fields, error: result.error, retryInMs: wait }, `${what} not delivered; will try again`);
        break;
      }
    }
  }

  function schedule(ms: number): void {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    let wait = pollMs;
    try {
      const free = deps.config.REPORT_CONCURRENCY - inFlight.size;
      if (free > 0) {
        for (const item of await deps.outbox.claimDue(free, leaseMs)) {
          const p: Promise<void> = settle(item)
            .catch((err: unknown) =>
              deps.log.error(
                { err, messageId: item.messageId },
                'could not record the outcome of an attempt; it is tried again after a restart',
              ),
            )
            .finally(() => {
              inFlight.delete(p);
              schedule(0);
            });
          inFlight.add(p);
        }
      }
      if (inFlight.size < deps.config.REPORT_CONCURRENCY) {
        const next = await deps.outbox.nextDue();
        if (next !== undefined) wait = Math.max(0, Math.min(pollMs, Date.parse(next) - Date.now()));
      }
    } catch (err) {
      if (!stopped) deps.log.error({ err }, 'outbox could not be read');
    } finally {
      busy = false;
    }
    schedule(again ? 0 : wait);
    again = false;
  }

  schedule(0);
  return {
    kick: () => schedule(0),
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, deps.graceMs ?? 2_000).unref());
      await Promise.race([Promise.allSettled([...inFlight]).then(() => undefined), grace]);
    },
  };
}
