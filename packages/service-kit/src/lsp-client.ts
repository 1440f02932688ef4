import {
  ClockState,
  ConsentRecord,
  ConsentRequest,
  IndexEntry,
  Policies,
  QueryBatch,
  ReportRouting,
  SystemEntry,
  type AortaId,
  type ConsentInput,
  type DataCategory,
  type IndexReason,
  type MedicationQuery,
  type ObservationReportSubmission,
  type SetClock,
  type SummaryQuery,
  type SystemRegistration,
} from '@schakel/contracts';
import { z } from 'zod';
import { CallError, type ServiceClient } from './client.js';
import { ProcessList, type ProcessAction } from './process-control.js';
import { Fault, JournalEntry } from './controls.js';
import { Recording } from './recording.js';

const FaultState = z.object({ fault: Fault.nullable() });
const Journal = z.object({ entries: z.array(JournalEntry) });

/** `assertion`: the acting professional's signed assertion (compact JWS), sent as a Bearer token. */
export interface QueryOptions {
  aorta?: Pick<AortaId, 'initialRequestId'>;
  timeoutMs?: number;
  assertion?: string;
}

/** Typed calls to the switch point, used by every connected system (and by tests and the seeder). */
export function createSwitchPointClient(client: ServiceClient, baseUrl: string) {
  const seg = encodeURIComponent;
  /** A POST carrying a professional's signed assertion: the queries and the observation report. */
  const signedPost = <T>(path: string, body: unknown, schema: z.ZodType<T>, opts: QueryOptions) =>
    client
      .call(baseUrl, {
        method: 'POST',
        path,
        body,
        schema,
        ...(opts.aorta ? { aorta: opts.aorta } : {}),
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.assertion !== undefined ? { headers: { authorization: `Bearer ${opts.assertion}` } } : {}),
      })
      .then((r) => r.body);
  return {
    baseUrl,
    /** The operator's process control (admin certificate): every process of the topology and its state. */
    processes: () =>
      client
        .call(baseUrl, { method: 'GET', path: '/control/processes', schema: ProcessList })
        .then((r) => r.body.processes),
    /** Stop, start, restart, pause or resume one organisation (admin certificate); answers the new states. */
    controlProcess: (id: string, action: ProcessAction) =>
      client
        .call(baseUrl, { method: 'POST', path: `/control/processes/${seg(id)}/${action}`, schema: ProcessList })
        .then((r) => r.body.processes),
    /** Make one organisation misbehave towards the switch point (admin certificate; docs/control.md). */
    setFault: (id: string, fault: Fault) =>
      client
        .call(baseUrl, { method: 'PUT', path: `/control/faults/${seg(id)}`, body: fault, schema: FaultState })
        .then((r) => r.body.fault),
    clearFault: (id: string) =>
      client
        .call(baseUrl, { method: 'DELETE', path: `/control/faults/${seg(id)}`, schema: FaultState })
        .then((r) => r.body.fault),
    /** What one organisation received and answered (admin certificate). */
    journal: (id: string) =>
      client
        .call(baseUrl, { method: 'GET', path: `/control/journals/${seg(id)}`, schema: Journal })
        .then((r) => r.body.entries),
    clearJournal: (id: string) =>
      client
        .call(baseUrl, { method: 'DELETE', path: `/control/journals/${seg(id)}`, schema: Journal })
        .then((r) => r.body.entries),
    /** Start recording both legs of every exchange through the switch point (admin certificate). */
    startRecording: () =>
      client
        .call(baseUrl, {
          method: 'POST',
          path: '/control/recording/start',
          schema: z.object({ recording: z.literal(true), since: z.string(), processes: z.array(z.string()) }),
        })
        .then((r) => r.body),
    /** Stop recording: the recording, pseudonymised (admin certificate). */
    stopRecording: () =>
      client.call(baseUrl, { method: 'POST', path: '/control/recording/stop', schema: Recording }).then((r) => r.body),
    /** The names of the saved snapshots (admin certificate). */
    snapshots: () =>
      client
        .call(baseUrl, {
          method: 'GET',
          path: '/control/snapshots',
          schema: z.object({ names: z.array(z.string()) }),
        })
        .then((r) => r.body.names),
    /** Save every store under a name, while everything runs (admin certificate). */
    saveSnapshot: (name: string) =>
      client
        .call(baseUrl, {
          method: 'POST',
          path: `/control/snapshots/${seg(name)}`,
          schema: z.object({ name: z.string(), files: z.array(z.string()) }),
        })
        .then((r) => r.body),
    /** Start restoring a snapshot: everything restarts, the switch point too; poll `processes` after. */
    restoreSnapshot: (name: string) =>
      client
        .call(baseUrl, {
          method: 'POST',
          path: `/control/snapshots/${seg(name)}/restore`,
          schema: z.object({ name: z.string(), restoring: z.literal(true) }),
        })
        .then((r) => r.body),
    /** The domain clock of the running stack: now, and its setting (admin certificate; docs/control.md). */
    clock: () =>
      client.call(baseUrl, { method: 'GET', path: '/control/clock', schema: ClockState }).then((r) => r.body),
    /** Offset or freeze the clock of every service at once (admin certificate). */
    setClock: (setting: SetClock) =>
      client
        .call(baseUrl, { method: 'PUT', path: '/control/clock', body: setting, schema: ClockState })
        .then((r) => r.body),
    /** Back to real time in every service (admin certificate). */
    resetClock: () =>
      client.call(baseUrl, { method: 'DELETE', path: '/control/clock', schema: ClockState }).then((r) => r.body),
    registerSystem: (applicationId: string, entry: SystemRegistration) =>
      client
        .call(baseUrl, {
          method: 'PUT',
          path: `/address-book/systems/${seg(applicationId)}`,
          body: entry,
          schema: SystemEntry,
        })
        .then((r) => r.body),
    /** One system's address-book entry (where it is, who it is): how a system finds another to send to. */
    system: (applicationId: string) =>
      client
        .call(baseUrl, { path: `/address-book/systems/${seg(applicationId)}`, schema: SystemEntry })
        .then((r) => r.body),
    /** MFMT_IN002101; `reason` says why (default: the patient's consent). */
    register: (
      bsn: string,
      category: DataCategory,
      applicationId: string,
      aorta?: Pick<AortaId, 'initialRequestId'>,
      reason?: IndexReason,
    ) =>
      client
        .call(baseUrl, {
          method: 'PUT',
          path: `/reference-index/${seg(bsn)}/${seg(category)}/${seg(applicationId)}`,
          schema: IndexEntry,
          ...(reason !== undefined ? { body: { reason } } : {}),
          ...(aorta ? { aorta } : {}),
        })
        .then((r) => r.body),
    /** MFMT_IN002103 */
    deregister: (
      bsn: string,
      category: DataCategory,
      applicationId: string,
      aorta?: Pick<AortaId, 'initialRequestId'>,
    ) =>
      client
        .call(baseUrl, {
          method: 'DELETE',
          path: `/reference-index/${seg(bsn)}/${seg(category)}/${seg(applicationId)}`,
          ...(aorta ? { aorta } : {}),
        })
        .then(() => undefined),
    /** QUMT_IN020010 */
    lookup: (bsn: string) =>
      client
        .call(baseUrl, { path: `/reference-index/${seg(bsn)}`, schema: z.object({ entries: z.array(IndexEntry) }) })
        .then((r) => r.body.entries),
    recordConsent: (bsn: string, holderUra: string, input: ConsentInput, aorta?: Pick<AortaId, 'initialRequestId'>) =>
      client
        .call(baseUrl, {
          method: 'PUT',
          path: `/consents/${seg(bsn)}/${seg(holderUra)}`,
          body: input,
          schema: ConsentRecord,
          ...(aorta ? { aorta } : {}),
        })
        .then((r) => r.body),
    /** The policy switches in force (corona opt-in, its stop button, presumed consent). */
    policies: () => client.call(baseUrl, { path: '/policies', schema: Policies }).then((r) => r.body),
    /** Choices patients made online for this holder, waiting to be processed. */
    pendingConsentRequests: () =>
      client
        .call(baseUrl, { path: '/consent-requests', schema: z.object({ requests: z.array(ConsentRequest) }) })
        .then((r) => r.body.requests),
    processConsentRequest: (id: number, accept: boolean, aorta?: Pick<AortaId, 'initialRequestId'>) =>
      client
        .call(baseUrl, {
          method: 'POST',
          path: `/consent-requests/${id}/process`,
          body: { accept },
          schema: z.object({ request: ConsentRequest, record: ConsentRecord.optional() }),
          ...(aorta ? { aorta } : {}),
        })
        .then((r) => r.body),
    /** QURX_IN990011NL */
    queryMedication: (query: MedicationQuery, opts: QueryOptions = {}) =>
      signedPost('/queries/medication', query, QueryBatch, opts),
    /** QUPC_IN990001NL */
    querySummary: (query: SummaryQuery, opts: QueryOptions = {}) =>
      signedPost('/queries/summary', query, QueryBatch, opts),
    /**
     * REPC_IN990003NL: the switch point routes the report to the patient's own GP and answers the GP's
     * acknowledgement (MCCI_IN000002) with whom it went to. Signed by the report's author.
     */
    sendObservationReport: (report: ObservationReportSubmission, opts: QueryOptions & { assertion: string }) =>
      signedPost('/reports/observation', report, ReportRouting, opts),
  };
}
export type SwitchPointClient = ReturnType<typeof createSwitchPointClient>;

/**
 * A connected system enters itself in the switch point's address book at start-up, retrying while the
 * switch point is not up yet, so services can start in any order.
 */
export async function enrolWithRetry(
  lsp: SwitchPointClient,
  applicationId: string,
  entry: SystemRegistration,
  opts: { attempts?: number; delayMs?: number; log?: (msg: string) => void } = {},
): Promise<void> {
  const attempts = opts.attempts ?? 60;
  for (let i = 1; ; i++) {
    try {
      await lsp.registerSystem(applicationId, entry);
      return;
    } catch (err) {
      const retryable = err instanceof CallError && (err.kind === 'unreachable' || err.kind === 'timeout');
      if (!retryable || i >= attempts) throw err;
      opts.log?.(`switch point not reachable yet (${(err as Error).message}); retry ${i}/${attempts}`);
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 250));
    }
  }
}
