import { z } from 'zod';
import { Bsn, type AccessLogEntry, type ConsentRecord, type ConsentState } from '@schakel/contracts';
import type { RoutePlugin } from '@schakel/service-kit';
import type { Upstream } from '../upstream.js';
import type { ExchangeTracker } from '../exchanges.js';
import { html, type Html } from '../views/html.js';
import { layout, problemBox } from '../views/layout.js';
import { roleName, type DemoPatient } from '../views/act.js';

const HTML = 'text/html; charset=utf-8';
const STATES: [ConsentState, string][] = [
  ['consent', 'consent'],
  ['objection', 'objection'],
  ['no-choice', 'no choice'],
];

/**
 * The patient's side: the choice per data holder, changed at the holder's own desk (the same
 * `PUT /patients/{bsn}/consent` a pharmacist or GP uses), the consent profile as the portal shows it,
 * and the patient's access log from the portal, refusals included.
 */
export const patientRoutes: RoutePlugin<{
  upstream: Upstream;
  tracker: ExchangeTracker;
  patients: DemoPatient[];
}> = async (app, { upstream, tracker, patients }) => {
  const holders = upstream.organisations.filter(
    (o) => (o.service === 'gp' || o.service === 'pharmacy') && o.users.length > 0,
  );

  async function view(bsn: string, note?: Html): Promise<Html> {
    const [profile, log] = await Promise.all([
      upstream.portal<{ inForce: ConsentRecord[] }>(bsn, { path: '/portal/profile' }),
      upstream.portal<{ entries: AccessLogEntry[] }>(bsn, { path: '/portal/access-log' }),
    ]);
    if (!profile.ok) return problemBox(profile.problem);
    const stateAt = (ura: string): ConsentState =>
      profile.body.inForce
        .filter((r) => 'ura' in r.holder && r.holder.ura === ura && r.category === '*' && r.consumerType === '*')
        .at(-1)?.state ?? 'no-choice';
    const byApp = new Map(upstream.organisations.map((o) => [o.applicationId, o.name]));
    return html`${note ?? ''}
      <section aria-labelledby="choices-title">
        <h2 id="choices-title">Choices per data holder</h2>
        <div class="holders">
          ${holders.map(
            (o) =>
              html`<form class="holder" hx-post="/patient/${bsn}/consent" hx-target="#patient-view" hx-trigger="change">
                <fieldset>
                  <legend>${o.name}</legend>
                  <input type="hidden" name="holder" value="${o.id}" />
                  ${STATES.map(
                    ([state, label]) =>
                      html`<label
                        ><input
                          type="radio"
                          name="state"
                          value="${state}"
                          ${stateAt(o.ura) === state ? html`checked` : ''}
                        />
                        ${label}</label
                      >`,
                  )}
                </fieldset>
              </form>`,
          )}
        </div>
      </section>
      <section aria-labelledby="log-title">
        <h2 id="log-title">Who looked (the patient's access log, refusals included)</h2>
        ${
          !log.ok
            ? problemBox(log.problem)
            : html`<table class="log">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">What</th>
                    <th scope="col">Who</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  ${[...log.body.entries].reverse().map((e) => {
                    const tone = e.outcome === 'permitted' ? 'ok' : e.outcome === 'refused' ? 'refused' : 'warn';
                    return html`<tr class="tone-${tone}">
                      <td>${e.at.slice(0, 19).replace('T', ' ')}</td>
                      <td><code>${e.interaction}</code> ${e.category ?? ''}</td>
                      <td>
                        ${byApp.get(e.requesterApplicationId ?? '') ?? e.requesterApplicationId ?? '-'}
                        ${roleName(e.actingRole)}
                      </td>
                      <td>
                        <span class="badge ${tone}">${e.outcome}</span>
                        <code>${e.code}</code>${e.emergency ? ' (emergency)' : ''}
                      </td>
                      <td>${e.explanation}</td>
                    </tr>`;
                  })}
                </tbody>
              </table>`
        }
      </section>`;
  }

  const BsnQuery = z.object({ bsn: Bsn.optional() });
  app.get('/patient', { schema: { hide: true, querystring: BsnQuery } }, async (request, reply) => {
    const bsn = request.query.bsn ?? patients[0]?.bsn ?? '999900146';
    return reply.type(HTML).send(
      layout(
        'The patient’s side',
        '/patient',
        html`<form class="pick" method="get" action="/patient">
            <label for="patient-bsn">Patient (BSN)</label>
            <select id="patient-bsn" name="bsn">
              ${patients.map((p) => html`<option value="${p.bsn}" ${p.bsn === bsn ? html`selected` : ''}>${p.bsn} ${p.name}</option>`)}
              ${patients.some((p) => p.bsn === bsn) ? '' : html`<option value="${bsn}" selected>${bsn}</option>`}
            </select>
            <button type="submit">Show</button>
          </form>
          <div id="patient-view" aria-live="polite">${await view(bsn)}</div>`,
      ).value,
    );
  });

  app.post(
    '/patient/:bsn/consent',
    {
      schema: {
        hide: true,
        params: z.object({ bsn: Bsn }),
        body: z.object({ holder: z.string(), state: z.enum(['consent', 'objection', 'no-choice']) }),
      },
    },
    async (request, reply) => {
      const { bsn } = request.params;
      const holder = holders.find((o) => o.id === request.body.holder);
      const user = holder?.users[0];
      if (holder === undefined || user === undefined)
        return reply.type(HTML).send((await view(bsn, html`<p class="card warn">No such holder.</p>`)).value);
      const aorta = upstream.newConversation();
      const r = await upstream.desk(holder.id, user.username, {
        method: 'PUT',
        path: `/patients/${bsn}/consent`,
        body: { state: request.body.state },
        aorta,
      });
      tracker.note(aorta.initialRequestId, `${holder.name} records ${request.body.state} for ${bsn}`);
      const note = r.ok
        ? html`<p class="card ok" role="status">
            ${holder.name} recorded <strong>${request.body.state}</strong> (at its desk, as ${user.professional.name}).
          </p>`
        : problemBox(r.problem);
      return reply.type(HTML).send((await view(bsn, note)).value);
    },
  );
};
