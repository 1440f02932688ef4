import type { QueryBatch } from '@schakel/contracts';
import type { ConsoleOrganisation } from '../config.js';
import { html, type Html } from './html.js';
import { decisionList } from './layout.js';

export interface DemoPatient {
  bsn: string;
  name: string;
  story?: string | undefined;
}

const ROLE_NAMES: Record<string, string> = {
  '01.015': 'huisarts',
  '01.071': 'SEH-arts',
  '01.016': 'internist',
  '01.048': 'verzekeringsarts',
  '01.008': 'bedrijfsarts',
  '17.075': 'openbaar apotheker',
  '17.000': 'apotheker',
  '30.000': 'verpleegkundige',
  '80.000': 'bachelor medisch hulpverlener',
};
export const roleName = (code: string | null | undefined) =>
  code == null ? '' : `${ROLE_NAMES[code] ?? 'role'} (${code})`;

/** The "act as" form: who (organisation and professional), which patient, which situation, what to do. */
export function actForm(organisations: ConsoleOrganisation[], patients: DemoPatient[]): Html {
  return html`<form id="act" hx-post="/act" hx-target="#result" hx-indicator="#act-busy" class="act">
    <fieldset>
      <legend>Act as</legend>
      <label for="who">Organisation and professional</label>
      <select id="who" name="who">
        ${organisations
          .filter((o) => o.users.length > 0)
          .map(
            (o) =>
              html`<optgroup label="${o.name}">
                ${o.users.map(
                  (u) =>
                    html`<option value="${o.id}/${u.username}">
                      ${u.professional.name}, ${roleName(u.professional.roleCode)} — ${o.name}
                    </option>`,
                )}
              </optgroup>`,
          )}
      </select>
      <label for="bsn">Patient (BSN)</label>
      <input
        id="bsn"
        name="bsn"
        list="patients"
        inputmode="numeric"
        pattern="[0-9]{9}"
        required
        value="${patients[0]?.bsn ?? ''}"
      />
      <datalist id="patients">${patients.map((p) => html`<option value="${p.bsn}">${p.name}</option>`)}</datalist>
      <ul class="patients">
        ${patients.map((p) => html`<li><code>${p.bsn}</code> ${p.name}${p.story !== undefined ? html`: <small>${p.story}</small>` : ''}</li>`)}
      </ul>
    </fieldset>
    <fieldset>
      <legend>Situation</legend>
      <label><input type="radio" name="situation" value="regular" checked /> regular care</label>
      <label><input type="radio" name="situation" value="acute" /> acute care</label>
      <label
        ><input type="checkbox" name="patientCannotConsent" value="on" /> the patient cannot consent (e.g.
        unconscious)</label
      >
      <label><input type="checkbox" name="verbalConsent" value="on" /> verbal consent given on the spot</label>
    </fieldset>
    <fieldset class="actions">
      <legend>Do</legend>
      <button type="submit" name="action" value="medication">Query medication</button>
      <button type="submit" name="action" value="summary">Query GP summary</button>
      <button type="submit" name="action" value="report">Send observation report</button>
      <button type="submit" name="action" value="inbox">Open GP inbox</button>
      <span id="act-busy" class="busy" aria-live="polite">working…</span>
    </fieldset>
  </form>`;
}

const toneOf = (status: string) =>
  status === 'ok' || status === 'no-data' ? 'ok' : status === 'refused' ? 'refused' : 'warn';

/** The batch: one card per source, refusals as visible as answers. */
export function batchCards(batch: QueryBatch): Html {
  return html`<div class="batch">
    <p class="meta">
      <code>${batch.batch}</code> of <code>${batch.interaction}</code>, ${batch.sources.length} source(s),
      ${batch.complete ? 'complete' : 'incomplete'}
    </p>
    ${batch.sources.length === 0 ? html`<p class="card">No source holds this category for the patient.</p>` : ''}
    <ul class="cards">
      ${batch.sources.map(
        (s) =>
          html`<li class="card ${toneOf(s.status)}" data-source="${s.organisationName}">
            <h4>${s.organisationName}</h4>
            <p class="status">
              <span class="badge ${toneOf(s.status)}">${s.status}</span>
              ${s.contacted ? 'asked' : 'not asked'}${s.durationMs !== undefined ? ` · ${Math.round(s.durationMs)} ms` : ''}
            </p>
            ${decisionList(s.decision)}
            ${s.dispenses !== undefined && s.dispenses.length > 0 ? html`<p class="data">${s.dispenses.length} dispense(s): ${s.dispenses.map((d) => d.product.name).join('; ')}</p>` : ''}
            ${s.summary !== undefined ? html`<p class="data">Summary: ${s.summary.openEpisodes.length} open episode(s) (${s.summary.openEpisodes.map((e) => e.title).join('; ')}), ${s.summary.medication.length} prescription(s), ${s.summary.treatmentLimits.length} treatment limit(s)</p>` : ''}
            ${s.error !== undefined ? html`<p class="data">${s.error.code}: ${s.error.detail}</p>` : ''}
          </li>`,
      )}
    </ul>
  </div>`;
}
