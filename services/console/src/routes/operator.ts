import { z } from 'zod';
import type { Policies, SystemEntry } from '@schakel/contracts';
import type { ProcessInfo, RoutePlugin } from '@schakel/service-kit';
import type { Upstream } from '../upstream.js';
import { html, type Html } from '../views/html.js';
import { layout, problemBox } from '../views/layout.js';

const HTML = 'text/html; charset=utf-8';
const POLICY_LABELS: [keyof Policies, string, string][] = [
  ['coronaOptIn', 'Corona opt-in', 'no-choice patients’ summary at the HAP/SEH after verbal consent on the spot'],
  ['stopButton', 'Stop button', 'on: such corona opt-in requests return nothing (as since April 2023)'],
  ['presumedConsent', 'Presumed consent', 'in an emergency, when the patient cannot consent, unless they objected'],
];
const FAULTS = ['none', 'latency', 'error', 'malformed', 'drop', 'hang', 'down'] as const;

/**
 * The operator's side, with the admin certificate at the switch point's operator routes: the policies,
 * the processes with a fault per organisation, the address book, the access-log chain check, and reset.
 */
export const operatorRoutes: RoutePlugin<{ upstream: Upstream }> = async (app, { upstream }) => {
  async function policiesView(note?: Html): Promise<Html> {
    const r = await upstream.operator<Policies>({ path: '/admin/policies' });
    if (!r.ok) return problemBox(r.problem);
    return html`${note ?? ''}
      <ul class="switches">
        ${POLICY_LABELS.map(([name, label, what]) => {
          const on = r.body[name];
          return html`<li>
            <button
              type="button"
              role="switch"
              aria-checked="${on ? 'true' : 'false'}"
              class="switch ${on ? 'on' : 'off'}"
              hx-post="/operator/policies"
              hx-vals="${JSON.stringify({ name, on: on ? 'off' : 'on' })}"
              hx-target="#policies"
              aria-describedby="policy-${name}"
            >
              ${label}: <strong>${on ? 'on' : 'off'}</strong>
            </button>
            <span id="policy-${name}" class="hint">${what}</span>
          </li>`;
        })}
      </ul>`;
  }

  async function processesView(note?: Html): Promise<Html> {
    const r = await upstream.operator<{ processes: ProcessInfo[] }>({ path: '/control/processes' });
    if (!r.ok) return problemBox(r.problem);
    const faults = await Promise.all(
      r.body.processes.map(async (p) =>
        p.id === 'lsp'
          ? undefined
          : upstream.operator<{ fault: { kind: string } | null }>({ path: `/control/faults/${p.id}` }),
      ),
    );
    return html`${note ?? ''}
      <table class="processes">
        <thead>
          <tr>
            <th scope="col">Organisation</th>
            <th scope="col">State</th>
            <th scope="col">Fault towards the switch point</th>
          </tr>
        </thead>
        <tbody>
          ${r.body.processes.map((p, i) => {
            const f = faults[i];
            const current = f?.ok === true ? (f.body.fault?.kind ?? 'none') : 'none';
            return html`<tr>
              <th scope="row">${p.name}</th>
              <td><span class="badge ${p.state === 'running' ? 'ok' : 'warn'}">${p.state}</span></td>
              <td>
                ${
                  p.id === 'lsp'
                    ? '-'
                    : html`<form hx-post="/operator/faults/${p.id}" hx-target="#processes" class="inline">
                        <label for="fault-${p.id}" class="visually-hidden">Fault at ${p.name}</label>
                        <select id="fault-${p.id}" name="kind">
                          ${FAULTS.map((k) => html`<option value="${k}" ${k === current ? html`selected` : ''}>${k}</option>`)}
                        </select>
                        <button type="submit">Set</button>
                      </form>`
                }
              </td>
            </tr>`;
          })}
        </tbody>
      </table>`;
  }

  app.get('/operator', { schema: { hide: true } }, async (_request, reply) => {
    const book = await upstream.operator<{ systems: SystemEntry[] }>({ path: '/address-book/systems' });
    const systems = book.ok ? book.body.systems : [];
    return reply.type(HTML).send(
      layout(
        'The operator’s side',
        '/operator',
        html`<section aria-labelledby="policies-title">
            <h2 id="policies-title">Policies</h2>
            <div id="policies" aria-live="polite">${await policiesView()}</div>
          </section>
          <section aria-labelledby="processes-title">
            <h2 id="processes-title">Organisations, faults and reset</h2>
            <div id="processes" aria-live="polite">${await processesView()}</div>
            <button
              type="button"
              hx-post="/operator/reset"
              hx-target="#processes"
              hx-confirm="Put every store back as it was when npm start finished?"
            >
              Reset everything to the start
            </button>
          </section>
          <section aria-labelledby="chain-title">
            <h2 id="chain-title">Access log</h2>
            <button type="button" hx-post="/operator/verify" hx-target="#chain">
              Check the access log’s hash chain
            </button>
            <div id="chain" aria-live="polite"></div>
          </section>
          <section aria-labelledby="book-title">
            <h2 id="book-title">Address book</h2>
            ${
              book.ok
                ? html`<table class="book">
                    <thead>
                      <tr>
                        <th scope="col">Organisation</th>
                        <th scope="col">Type</th>
                        <th scope="col">URA</th>
                        <th scope="col">Application id</th>
                        <th scope="col">Provides</th>
                        <th scope="col">Wire</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${systems.map(
                        (s) =>
                          html`<tr>
                            <th scope="row">${s.organisationName}</th>
                            <td>${s.organisationType}</td>
                            <td>${s.ura}</td>
                            <td>${s.applicationId}</td>
                            <td>${s.provides.join(', ') || '-'}</td>
                            <td>${s.wire}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
                : problemBox(book.problem)
            }
          </section>`,
      ).value,
    );
  });

  app.post(
    '/operator/policies',
    {
      schema: {
        hide: true,
        body: z.object({ name: z.enum(['coronaOptIn', 'stopButton', 'presumedConsent']), on: z.enum(['on', 'off']) }),
      },
    },
    async (request, reply) => {
      const r = await upstream.operator({
        method: 'PUT',
        path: '/admin/policies',
        body: { [request.body.name]: request.body.on === 'on' },
      });
      return reply.type(HTML).send((await policiesView(r.ok ? undefined : problemBox(r.problem))).value);
    },
  );

  app.post(
    '/operator/faults/:id',
    {
      schema: {
        hide: true,
        params: z.object({ id: z.string().regex(/^[a-z0-9-]+$/) }),
        body: z.object({ kind: z.enum(FAULTS) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { kind } = request.body;
      const r =
        kind === 'none'
          ? await upstream.operator({ method: 'DELETE', path: `/control/faults/${id}` })
          : await upstream.operator({
              method: 'PUT',
              path: `/control/faults/${id}`,
              body: kind === 'latency' ? { kind, latencyMs: 1500 } : { kind },
            });
      return reply.type(HTML).send((await processesView(r.ok ? undefined : problemBox(r.problem))).value);
    },
  );

  app.post('/operator/verify', { schema: { hide: true } }, async (_request, reply) => {
    const r = await upstream.operator<{
      ok: boolean;
      entries: number;
      firstBrokenId: number | null;
      reason: string | null;
    }>({
      path: '/admin/access-log/verify',
    });
    if (!r.ok) return reply.type(HTML).send(problemBox(r.problem).value);
    const v = r.body;
    return reply
      .type(HTML)
      .send(
        html`<p class="card ${v.ok ? 'ok' : 'refused'}" role="status">
          <span class="badge ${v.ok ? 'ok' : 'refused'}">${v.ok ? 'intact' : 'broken'}</span> ${v.entries}
          entries${v.ok ? ', every link checks out' : `; first broken entry #${v.firstBrokenId ?? '?'}: ${v.reason ?? ''}`}
        </p>`.value,
      );
  });

  app.post('/operator/reset', { schema: { hide: true } }, async (_request, reply) => {
    const r = await upstream.operator({ method: 'POST', path: '/control/snapshots/start/restore' });
    const note = r.ok
      ? html`<p class="card ok" role="status">
          Restoring the start: every organisation restarts; reload in a few seconds.
        </p>`
      : problemBox(r.problem);
    return reply.type(HTML).send(note.value);
  });
};
