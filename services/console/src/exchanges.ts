import type { AccessLogEntry, QueryBatch } from '@schakel/contracts';
import type { JournalEntry } from '@schakel/service-kit';
import type { Upstream } from './upstream.js';

/** One request one process received, as its journal has it (route patterns and ids, never a body). */
export interface Hop {
  /** The process that received it: 'lsp' or an organisation's id. */
  at: string;
  startedMs: number;
  entry: JournalEntry;
}

/** Everything that happened under one AORTA-ID initialRequestID, across every process. */
export interface Exchange {
  id: string;
  startedAt: string;
  hops: Hop[];
  /** The switch point's access-log entry: who asked, the outcome, a status and code per source. */
  access?: AccessLogEntry;
  /** The batch, when the console asked itself: each source's decision with rule, record and explanation. */
  batch?: QueryBatch;
  /** What the console did to start it (e.g. "Dr. H. de Wit at Huisartsenpost Midden: medication"). */
  label?: string;
}

/** Exchanges worth drawing: a system called the switch point, or the switch point called a source. */
const DRAWN = new Set(['system', 'switch-point-legs']);
const KEEP = 50;

/**
 * The live sequence (issue #16): reads every process's journal (the operator's control API,
 * docs/control.md) and the switch point's access log, groups what it finds by the AORTA-ID's
 * initialRequestID, and tells its listeners which exchanges are new or changed. It reads only while
 * someone watches (a browser holds the event stream open), and once more after each of the console's own
 * actions, so that the answer on screen and its diagram agree.
 */
export function createExchangeTracker(upstream: Upstream, options: { pollMs: number }) {
  const processes = ['lsp', ...upstream.organisations.map((o) => o.id)];
  const exchanges = new Map<string, Exchange>();
  const labels = new Map<string, string>();
  const batches = new Map<string, QueryBatch>();
  const signatures = new Map<string, string>();
  const listeners = new Set<(id: string) => void>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function poll(): Promise<void> {
    const journals = await Promise.all(
      processes.map(async (id) => {
        const r = await upstream.operator<{ entries: JournalEntry[] }>({ path: `/control/journals/${id}` });
        return { id, entries: r.ok ? r.body.entries : [] };
      }),
    );
    const grouped = new Map<string, Hop[]>();
    for (const { id, entries } of journals) {
      for (const entry of entries) {
        if (entry.initialRequestId === undefined) continue;
        const hops = grouped.get(entry.initialRequestId) ?? [];
        hops.push({ at: id, startedMs: Date.parse(entry.at) - entry.ms, entry });
        grouped.set(entry.initialRequestId, hops);
      }
    }
    const log = await upstream.operator<{ entries: AccessLogEntry[] }>({
      path: '/access-log',
      query: { limit: '300' },
    });
    const access = new Map((log.ok ? log.body.entries : []).map((e) => [e.initialRequestId, e]));
    const changed: string[] = [];
    for (const [id, hops] of grouped) {
      if (!hops.some((h) => DRAWN.has(h.entry.audience ?? ''))) continue;
      // Reading the address book or the policies is no exchange worth a diagram: an access-log entry, a leg
      // to a source, or an action of the console's own makes one.
      if (!access.has(id) && !labels.has(id) && !hops.some((h) => h.entry.audience === 'switch-point-legs')) continue;
      hops.sort((a, b) => a.startedMs - b.startedMs);
      const first = hops[0];
      if (first === undefined) continue;
      const exchange: Exchange = {
        id,
        startedAt: new Date(first.startedMs).toISOString(),
        hops,
        ...(access.get(id) !== undefined ? { access: access.get(id) } : {}),
        ...(batches.get(id) !== undefined ? { batch: batches.get(id) } : {}),
        ...(labels.get(id) !== undefined ? { label: labels.get(id) } : {}),
      };
      const signature = `${hops.length}/${exchange.access?.id ?? ''}/${exchange.batch !== undefined}`;
      if (signatures.get(id) !== signature) changed.push(id);
      signatures.set(id, signature);
      exchanges.set(id, exchange);
    }
    // The newest few only: a journal keeps 2,000 requests per process; a demo looks at the last minutes.
    const newest = recent();
    for (const id of exchanges.keys()) if (!newest.some((e) => e.id === id)) exchanges.delete(id);
    for (const id of changed) if (exchanges.has(id)) for (const l of listeners) l(id);
  }

  /** One read at a time; a caller that asks meanwhile waits for a fresh one. */
  async function refresh(): Promise<void> {
    while (running !== undefined) await running.catch(() => undefined);
    running = poll().finally(() => {
      running = undefined;
    });
    return running;
  }

  function recent(): Exchange[] {
    return [...exchanges.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, KEEP);
  }

  return {
    refresh,
    recent,
    get: (id: string) => exchanges.get(id),
    /** Remember what the console did under this conversation (and the batch it got), for the diagram. */
    note(id: string, label: string, batch?: QueryBatch) {
      labels.set(id, label);
      if (batch !== undefined) batches.set(id, batch);
      signatures.delete(id);
    },
    /** Listen for new and changed exchanges; reading starts with the first listener and stops with the last. */
    subscribe(listener: (id: string) => void): () => void {
      listeners.add(listener);
      if (timer === undefined) {
        const tick = () => {
          refresh()
            .catch(() => undefined)
            .finally(() => {
              if (listeners.size > 0) timer = setTimeout(tick, options.pollMs);
              else timer = undefined;
            });
        };
        timer = setTimeout(tick, 0);
      }
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      listeners.clear();
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
export type ExchangeTracker = ReturnType<typeof createExchangeTracker>;
