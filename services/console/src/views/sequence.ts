import type { BatchSourceEntry } from '@schakel/contracts';
import type { Exchange, Hop } from '../exchanges.js';
import type { ConsoleOrganisation } from '../config.js';
import { html, type Html } from './html.js';
import { decisionList } from './layout.js';

type Tone = 'ok' | 'refused' | 'warn' | 'neutral';
const toneOfStatus = (s: string | undefined, http?: number): Tone =>
  s === 'ok' || s === 'no-data'
    ? 'ok'
    : s === 'refused'
      ? 'refused'
      : s !== undefined
        ? 'warn'
        : http === undefined
          ? 'neutral'
          : http < 400
            ? 'ok'
            : http === 401 || http === 403 || http === 404
              ? 'refused'
              : 'warn';
const toneOfOutcome = (o: string | undefined, http: number | undefined): Tone =>
  o === 'permitted'
    ? 'ok'
    : o === 'refused'
      ? 'refused'
      : o === 'partial' || o === 'failed'
        ? 'warn'
        : toneOfStatus(undefined, http);

interface Arrow {
  from: string;
  to: string;
  label: string;
  note?: string;
  tone: Tone;
  /** A request that was never sent: the switch point decided not to ask. */
  notSent?: boolean;
}

const LANE = 280;
const ROW = 64;
const TOP = 86;

/** Per source: what the batch (or, failing that, the access log) says about it. */
function sourceFacts(exchange: Exchange, applicationId: string) {
  const fromBatch: BatchSourceEntry | undefined = exchange.batch?.sources.find(
    (s) => s.applicationId === applicationId,
  );
  const fromLog = exchange.access?.sources.find((s) => s.applicationId === applicationId);
  return {
    batch: fromBatch,
    status: fromBatch?.status ?? fromLog?.status,
    code: fromBatch?.decision.code ?? fromLog?.code,
  };
}

/**
 * The sequence diagram of one exchange: a lane per organisation (requester, switch point, each source),
 * an arrow per hop with its route, status and time, and a crossed-out arrow for every source the switch
 * point decided not to ask. Plain SVG, no diagram library; the same facts follow as a list and a table.
 */
export function sequenceView(exchange: Exchange, organisations: ConsoleOrganisation[]): Html {
  const byApp = new Map(organisations.map((o) => [o.applicationId, o]));
  const nameOf = (id: string) =>
    id === 'lsp' ? 'Schakelpunt (LSP)' : (organisations.find((o) => o.id === id)?.name ?? id);
  const lspHop: Hop | undefined = exchange.hops.find((h) => h.at === 'lsp' && h.entry.audience === 'system');
  const legs = exchange.hops.filter((h) => h.entry.audience === 'switch-point-legs');
  const requester =
    (exchange.access?.requesterApplicationId != null
      ? byApp.get(exchange.access.requesterApplicationId)?.id
      : undefined) ??
    exchange.hops.find((h) => h.entry.audience === 'front-office')?.at ??
    'caller';
  const sourceIds = new Set(legs.map((h) => h.at));
  for (const s of [...(exchange.batch?.sources ?? []), ...(exchange.access?.sources ?? [])]) {
    const o = byApp.get(s.applicationId);
    if (o !== undefined) sourceIds.add(o.id);
  }
  const lanes = [
    requester,
    'lsp',
    ...organisations.map((o) => o.id).filter((id) => sourceIds.has(id) && id !== requester),
  ];
  const x = (id: string) => 40 + LANE / 2 + lanes.indexOf(id) * LANE;

  const arrows: Arrow[] = [];
  if (lspHop !== undefined)
    arrows.push({
      from: requester,
      to: 'lsp',
      label: exchange.access?.interaction ?? lspHop.entry.interaction ?? lspHop.entry.route,
      note: `${lspHop.entry.method} ${lspHop.entry.route}`,
      tone: 'neutral',
    });
  for (const leg of legs) {
    const o = organisations.find((x) => x.id === leg.at);
    const facts = o !== undefined ? sourceFacts(exchange, o.applicationId) : undefined;
    arrows.push({
      from: 'lsp',
      to: leg.at,
      label: leg.entry.interaction ?? leg.entry.route,
      note: leg.entry.route,
      tone: 'neutral',
    });
    arrows.push({
      from: leg.at,
      to: 'lsp',
      label: `${facts?.status ?? leg.entry.status}${leg.entry.fault !== undefined ? ` (fault: ${leg.entry.fault})` : ''}`,
      note: `HTTP ${leg.entry.status} · ${leg.entry.ms} ms`,
      tone: toneOfStatus(facts?.status, leg.entry.status),
    });
  }
  for (const id of lanes.slice(2)) {
    if (legs.some((h) => h.at === id)) continue;
    const o = organisations.find((x) => x.id === id);
    if (o === undefined) continue;
    const facts = sourceFacts(exchange, o.applicationId);
    arrows.push({
      from: 'lsp',
      to: id,
      label: `not asked: ${facts.code ?? facts.status ?? 'refused'}`,
      note: facts.status ?? '',
      tone: toneOfStatus(facts.status),
      notSent: true,
    });
  }
  if (lspHop !== undefined)
    arrows.push({
      from: 'lsp',
      to: requester,
      label: `${exchange.access?.outcome ?? `HTTP ${lspHop.entry.status}`}${exchange.access !== undefined ? ` · ${exchange.access.code}` : ''}`,
      note: `HTTP ${lspHop.entry.status} · ${lspHop.entry.ms} ms`,
      tone: toneOfOutcome(exchange.access?.outcome, lspHop.entry.status),
    });

  const width = 80 + lanes.length * LANE;
  const height = TOP + arrows.length * ROW + 30;
  const summary = `${exchange.label ?? exchange.access?.interaction ?? 'Exchange'}: ${arrows.map((a) => a.label).join('; ')}`;
  return html`<section class="sequence" aria-labelledby="seq-title" data-exchange="${exchange.id}">
    <h3 id="seq-title">${exchange.label ?? exchange.access?.interaction ?? 'Exchange'}</h3>
    <p class="meta">
      AORTA-ID initialRequestID <code>${exchange.id}</code> · started ${exchange.startedAt.slice(11, 23)}
    </p>
    <div class="diagram">
      <svg role="img" aria-label="${summary}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
        <defs>
          ${(['ok', 'refused', 'warn', 'neutral'] as const).map(
            (t) =>
              html`<marker
                id="arrow-${t}"
                class="tone-${t}"
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="8"
                markerHeight="8"
                orient="auto-start-reverse"
                ><path d="M0,0 L10,5 L0,10 z"
              /></marker>`,
          )}
        </defs>
        ${lanes.map(
          (id) =>
            html`<g class="lane">
              <rect x="${x(id) - LANE / 2 + 12}" y="10" width="${LANE - 24}" height="48" rx="6" />
              <text x="${x(id)}" y="40" text-anchor="middle">${nameOf(id)}</text>
              <line x1="${x(id)}" y1="58" x2="${x(id)}" y2="${height - 10}" />
            </g>`,
        )}
        ${arrows.map((a, i) => {
          const y = TOP + i * ROW + 20;
          const [from, to] = [x(a.from), x(a.to)];
          const mid = (from + to) / 2;
          return html`<g class="arrow tone-${a.tone}${a.notSent === true ? ' not-sent' : ''}">
            <line x1="${from}" y1="${y}" x2="${to}" y2="${y}" marker-end="url(#arrow-${a.tone})" />
            ${a.notSent === true ? html`<text class="cross" x="${to - (to > from ? 24 : -24)}" y="${y + 8}" text-anchor="middle">✕</text>` : ''}
            <text x="${mid}" y="${y - 8}" text-anchor="middle" class="label">${a.label}</text>
            <text x="${mid}" y="${y + 20}" text-anchor="middle" class="note">${a.note ?? ''}</text>
          </g>`;
        })}
      </svg>
    </div>
    <ol class="hops">
      ${arrows.map(
        (a) => html`<li class="tone-${a.tone}">${nameOf(a.from)} → ${nameOf(a.to)}: ${a.label} (${a.note ?? ''})</li>`,
      )}
    </ol>
    ${decisionsTable(exchange, byApp)}
  </section>`;
}

function decisionsTable(exchange: Exchange, byApp: Map<string, ConsoleOrganisation>): Html {
  const sources = exchange.batch?.sources;
  if (sources !== undefined && sources.length > 0)
    return html`<table class="decisions">
      <caption>
        Decision per source (from the batch)
      </caption>
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">Status</th>
          <th scope="col">Decision</th>
          <th scope="col">Rule</th>
          <th scope="col">Consent record</th>
          <th scope="col">Explanation</th>
        </tr>
      </thead>
      <tbody>
        ${sources.map(
          (s) =>
            html`<tr class="tone-${toneOfStatus(s.status)}">
              <th scope="row">${s.organisationName}</th>
              <td>
                <span class="badge ${toneOfStatus(s.status)}">${s.status}</span>${s.contacted ? '' : ' (not asked)'}
              </td>
              <td><code>${s.decision.code}</code></td>
              <td>${s.decision.rule}</td>
              <td>${s.decision.consentRecordId !== undefined ? `#${s.decision.consentRecordId}` : '-'}</td>
              <td>${s.decision.explanation}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  const a = exchange.access;
  if (a === undefined) return html``;
  return html`<table class="decisions">
    <caption>
      The switch point's access log: ${a.outcome}
      <code>${a.code}</code
      >${a.emergency ? ' (emergency procedure)' : ''}
    </caption>
    <thead>
      <tr>
        <th scope="col">Source</th>
        <th scope="col">Status</th>
        <th scope="col">Decision</th>
      </tr>
    </thead>
    <tbody>
      ${a.sources.map(
        (s) =>
          html`<tr class="tone-${toneOfStatus(s.status)}">
            <th scope="row">${byApp.get(s.applicationId)?.name ?? s.applicationId}</th>
            <td><span class="badge ${toneOfStatus(s.status)}">${s.status}</span></td>
            <td><code>${s.code}</code></td>
          </tr>`,
      )}
      <tr>
        <td colspan="3">${a.explanation}</td>
      </tr>
    </tbody>
  </table>`;
}

/** The list of recent exchanges, newest first, each a link that draws it again. */
export function recentList(exchanges: Exchange[], organisations: ConsoleOrganisation[]): Html {
  const byApp = new Map(organisations.map((o) => [o.applicationId, o]));
  if (exchanges.length === 0) return html`<p class="empty">No exchanges yet: act as a role above.</p>`;
  return html`<ul class="recent">
    ${exchanges.map((e) => {
      const lsp = e.hops.find((h) => h.at === 'lsp' && h.entry.audience === 'system');
      const who =
        e.access?.requesterApplicationId != null ? byApp.get(e.access.requesterApplicationId)?.name : undefined;
      const tone = toneOfOutcome(e.access?.outcome, lsp?.entry.status);
      return html`<li class="tone-${tone}">
        <a href="/exchanges/${e.id}" hx-get="/exchanges/${e.id}" hx-target="#sequence" data-pick="1">
          <span class="time">${e.startedAt.slice(11, 19)}</span>
          <span class="badge ${tone}"
            >${e.access?.outcome ?? (lsp !== undefined ? `HTTP ${lsp.entry.status}` : 'in progress')}</span
          >
          ${e.label ?? `${e.access?.interaction ?? lsp?.entry.interaction ?? lsp?.entry.route ?? ''}${who !== undefined ? ` from ${who}` : ''}`}
        </a>
      </li>`;
    })}
  </ul>`;
}

export { decisionList };
