import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  Bsn,
  notFound,
  problem,
  type ObservationReportDelivery,
  type Problem,
  type QueryBatch,
} from '@schakel/contracts';
import type { RoutePlugin } from '@schakel/service-kit';
import type { ExchangeTracker } from '../exchanges.js';
import type { Upstream } from '../upstream.js';
import { html, type Html } from '../views/html.js';
import { layout, problemBox } from '../views/layout.js';
import { recentList, sequenceView } from '../views/sequence.js';
import { actForm, batchCards, type DemoPatient } from '../views/act.js';

export type LiveOptions = { upstream: Upstream; tracker: ExchangeTracker; patients: DemoPatient[] };

const on = z
  .string()
  .optional()
  .transform((v) => v === 'on');
const ActBody = z.object({
  who: z.string().regex(/^[a-z0-9-]+\/[a-z0-9._-]+$/),
  bsn: Bsn,
  action: z.enum(['medication', 'summary', 'report', 'inbox']),
  situation: z.enum(['regular', 'acute']).default('regular'),
  patientCannotConsent: on,
  verbalConsent: on,
});
type Act = z.infer<typeof ActBody>;

const CONSUMERS = new Set(['hap', 'seh', 'ambulance', 'hospital']);
const HTML = 'text/html; charset=utf-8';

/** The main page: act as a role, the answer, the live sequence and the recent exchanges. */
export const liveRoutes: RoutePlugin<LiveOptions> = async (app, { upstream, tracker, patients }) => {
  const streams = new Set<ServerResponse>();
  app.addHook('onClose', async () => {
    for (const s of streams) s.end();
  });

  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(HTML).send(
      layout(
        'Live sequence and act as a role',
        '/',
        html`<div class="columns">
            <section aria-labelledby="act-title">
              <h2 id="act-title">Act as a role</h2>
              ${actForm(upstream.organisations, patients)}
            </section>
            <section aria-labelledby="result-title">
              <h2 id="result-title">Answer</h2>
              <div id="result" aria-live="polite"><p class="empty">Choose a role, a patient and an action.</p></div>
            </section>
          </div>
          <section aria-labelledby="live-title">
            <h2 id="live-title">Live sequence</h2>
            <p>
              <label><input type="checkbox" id="follow" checked /> follow new exchanges as they happen</label>
            </p>
            <div id="sequence" aria-live="polite">
              <p class="empty">Every exchange through the switch point is drawn here as it happens.</p>
            </div>
            <h2 id="recent-title">Recent exchanges</h2>
            <div id="recent" hx-get="/exchanges" hx-trigger="load">
              ${recentList(tracker.recent(), upstream.organisations)}
            </div>
          </section>`,
      ).value,
    ),
  );

  // Server-sent events: the id of each new or changed exchange; the page then fetches what it draws.
  app.get('/events', { schema: { hide: true } }, async (request, reply) => {
    if (!(request.headers.accept ?? '').includes('text/event-stream'))
      throw problem('VALIDATION_ERROR', 'The live stream is for an EventSource', {
        field: 'header.accept',
        expected: 'text/event-stream',
      });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': live sequence\n\n');
    streams.add(res);
    const unsubscribe = tracker.subscribe((id) => res.write(`event: exchange\ndata: ${id}\n\n`));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    request.raw.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  });

  app.get('/exchanges', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(HTML).send(recentList(tracker.recent(), upstream.organisations).value),
  );
  app.get('/exchanges/:id', { schema: { hide: true, params: z.object({ id: z.uuid() }) } }, async (request, reply) => {
    const e = tracker.get(request.params.id);
    if (e === undefined) throw notFound(`Exchange ${request.params.id}`);
    return reply.type(HTML).send(sequenceView(e, upstream.organisations).value);
  });

  app.post('/act', { schema: { hide: true, body: ActBody } }, async (request, reply) => {
    const act = request.body;
    const [orgId = '', username = ''] = act.who.split('/');
    const o = upstream.organisations.find((x) => x.id === orgId);
    const user = o?.users.find((u) => u.username === username);
    if (o === undefined || user === undefined) throw notFound(`Test user ${act.who}`);
    const aorta = upstream.newConversation();
    const label = `${user.professional.name} at ${o.name}: ${act.action} for ${act.bsn}`;
    const body = await perform(upstream, o.service, orgId, username, act, aorta);
    tracker.note(aorta.initialRequestId, label, body.batch);
    await tracker.refresh();
    if (tracker.get(aorta.initialRequestId) !== undefined)
      reply.header('hx-trigger', JSON.stringify({ 'show-exchange': aorta.initialRequestId }));
    return reply.type(HTML).send(
      html`<h3>${label}</h3>
        ${body.view}`.value,
    );
  });
};

/** What the console reads of a report in the sender's outbox (OutboxReport in @schakel/consult). */
interface OutboxView {
  state: string;
  lastError: string | null;
  acknowledgement: { acknowledgement: string; deliveredTo?: { organisationName: string } } | null;
  rejection: { code: string; reason: string } | null;
}

/** One action, through the same front-office API a person at that desk uses. */
async function perform(
  upstream: Upstream,
  service: string,
  orgId: string,
  username: string,
  act: Act,
  aorta: { initialRequestId: string },
): Promise<{ view: Html; batch?: QueryBatch }> {
  const desk = <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, query?: Record<string, string>) =>
    upstream.desk<T>(orgId, username, {
      method,
      path,
      aorta,
      ...(body !== undefined ? { body } : {}),
      ...(query !== undefined ? { query } : {}),
    });
  const failed = (p: Problem) => ({ view: problemBox(p) });
  const shown = (r: { ok: true; body: QueryBatch } | { ok: false; problem: Problem }) =>
    r.ok ? { view: batchCards(r.body), batch: r.body } : failed(r.problem);

  if (act.action === 'inbox') {
    if (service !== 'gp')
      return { view: html`<p class="card warn">Only a GP practice has an inbox of observation reports.</p>` };
    const r = await desk<{
      reports: { messageId: string; receivedAt: string; status: string; report: ObservationReportDelivery }[];
    }>('GET', '/inbox', undefined, { bsn: act.bsn });
    if (!r.ok) return failed(r.problem);
    return {
      view: html`<ul class="cards inbox">
        ${r.body.reports.length === 0 ? html`<li class="card">No observation reports for this patient.</li>` : ''}
        ${r.body.reports.map(
          (x) =>
            html`<li class="card ok">
              <h4>Observation report from ${x.report.sender.organisationName}</h4>
              <p class="status">
                <span class="badge ok">${x.status}</span> received ${x.receivedAt.slice(0, 19).replace('T', ' ')}
              </p>
              <p class="data">
                ${x.report.encounter.complaint}, by ${x.report.author.name ?? x.report.author.uziNumber}
              </p>
            </li>`,
        )}
      </ul>`,
    };
  }
  if (act.action === 'medication' && service === 'pharmacy')
    return shown(await desk<QueryBatch>('POST', '/covering/medication', { bsn: act.bsn }));
  if (!CONSUMERS.has(service))
    return {
      view: html`<p class="card warn">
        This organisation does not ask for ${act.action}: a ${service === 'gp' ? 'GP practice' : 'pharmacy'} is asked
        (choose the post, the SEH, the ambulance or the hospital).
      </p>`,
    };
  const consult = await desk<{ id: string }>('POST', '/consults', {
    bsn: act.bsn,
    situation: act.situation,
    patientCannotConsent: act.patientCannotConsent,
  });
  if (!consult.ok) return failed(consult.problem);
  const id = consult.body.id;
  if (act.action === 'medication') return shown(await desk<QueryBatch>('POST', `/consults/${id}/medication`, {}));
  if (act.action === 'summary')
    return shown(await desk<QueryBatch>('POST', `/consults/${id}/summary`, { verbalConsent: act.verbalConsent }));
  const encounter = await desk('PUT', `/consults/${id}/encounter`, {
    complaint: 'Koorts en keelpijn (console demo)',
    findings: 'Temp 39,1',
    actions: 'Paracetamol-advies',
    handover: 'Bij aanhouden terugzien',
  });
  if (!encounter.ok) return failed(encounter.problem);
  const sent = await desk<{ messageId: string; state: string }>('POST', `/consults/${id}/report`, {});
  if (!sent.ok) return failed(sent.problem);
  // The outbox delivers in the background: wait a little for the acknowledgement, as the desk would look.
  let state = sent.body.state;
  let detail: OutboxView | undefined;
  for (let i = 0; i < 20 && (state === 'queued' || state === 'delivering'); i++) {
    await new Promise((r) => setTimeout(r, 250));
    const r = await desk<OutboxView>('GET', `/reports/${sent.body.messageId}`);
    if (r.ok) {
      state = r.body.state;
      detail = r.body;
    }
  }
  const tone = state === 'delivered' ? 'ok' : state === 'rejected' ? 'refused' : 'warn';
  return {
    view: html`<div class="card ${tone}">
      <h4>Observation report (REPC_IN990003NL)</h4>
      <p class="status"><span class="badge ${tone}">${state}</span> message <code>${sent.body.messageId}</code></p>
      ${detail?.acknowledgement != null ? html`<p>Acknowledgement <code>${detail.acknowledgement.acknowledgement}</code>, delivered to ${detail.acknowledgement.deliveredTo?.organisationName ?? ''}</p>` : ''}
      ${detail?.rejection != null ? html`<p>Rejected: <code>${detail.rejection.code}</code> ${detail.rejection.reason}</p>` : ''}
      ${detail?.lastError != null ? html`<p>${detail.lastError}</p>` : ''}
    </div>`,
  };
}
