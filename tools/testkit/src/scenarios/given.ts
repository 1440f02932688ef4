import { setClock, type SetClock } from '@schakel/contracts';
import type { Fault } from '@schakel/service-kit';
import { bsnOf, freshScenarioBsn, ok, orgOf, urlOf, type ScenarioContext } from './context.js';
import type { Given } from './format.js';
import type { z } from 'zod';

const prescriber = { name: 'Dr. A. Bakker', agb: '01012345' };
/** A dispense of a product by name, with fixed test codes (the codes are not what scenarios are about). */
export const dispenseOf = (product: string) => ({
  product: { name: product, atc: 'C07AB02', gpk: '68756', zi: '14212595', strength: '10 mg' },
  amount: { value: 30, unit: 'stuk' },
  dosageInstruction: `1 maal per dag 1 tablet (${product})`,
  dispensedOn: '2026-11-01',
  prescriber,
});

/** Set up what a scenario is given, through the same front offices and operator calls a person would use. */
export async function applyGiven(ctx: ScenarioContext, given: z.infer<typeof Given>): Promise<void> {
  // First the clock: the scenario's world, patients and consents included, happens in its time.
  if (given.clock !== undefined) await setScenarioClock(ctx, given.clock);
  const fo = ctx.frontOffice;
  for (const [alias, p] of Object.entries(given.patients)) {
    const bsn = p.bsn ?? freshScenarioBsn();
    ctx.bsns.set(alias, bsn);
    const demographics = { name: p.name, birthDate: p.birthDate };
    if (p.gp !== undefined) {
      ok(`patient ${alias} at ${p.gp}`, await fo.call(p.gp, 'PUT', `/patients/${bsn}`, demographics));
      for (const e of p.episodes ?? [{ code: 'K78', title: 'Atriumfibrilleren/-fladderen' }])
        ok(
          `episode ${e.code} of ${alias}`,
          await fo.call(p.gp, 'POST', `/patients/${bsn}/episodes`, {
            title: e.title,
            icpc: { code: e.code, title: e.title },
            startDate: '2019-06-01',
          }),
        );
    }
    for (const [pharmacy, products] of Object.entries(p.pharmacies ?? {})) {
      ok(`patient ${alias} at ${pharmacy}`, await fo.call(pharmacy, 'PUT', `/patients/${bsn}`, demographics));
      for (const product of products)
        ok(`dispense ${product}`, await fo.call(pharmacy, 'POST', `/patients/${bsn}/dispenses`, dispenseOf(product)));
    }
  }
  for (const c of given.consents) await recordConsent(ctx, c.patient, c.at, c.state);
  for (const r of given.registrations)
    ok(
      `registration of ${r.patient} at ${r.at}`,
      await ctx.admin.call(
        'PUT',
        `${ctx.target.switchPoint}/reference-index/${bsnOf(ctx, r.patient)}/${r.category}/${orgOf(ctx, r.at).applicationId}`,
      ),
    );
  for (const gp of given.coronaOptIn) await joinCoronaOptIn(ctx, gp);
  if (given.policies !== undefined) await setPolicies(ctx, given.policies);
  for (const f of given.faults) await setFault(ctx, f);
}

export async function recordConsent(ctx: ScenarioContext, patient: string, at: string, state: string) {
  ok(
    `consent of ${patient} at ${at}`,
    await ctx.frontOffice.call(at, 'PUT', `/patients/${bsnOf(ctx, patient)}/consent`, { state }),
  );
}

/** A practice joins the corona opt-in; undone after the scenario if it had not joined before. */
async function joinCoronaOptIn(ctx: ScenarioContext, gp: string) {
  const before = ok(`corona opt-in of ${gp}`, await ctx.frontOffice.call(gp, 'GET', '/corona-opt-in'));
  ok(`joining the corona opt-in at ${gp}`, await ctx.frontOffice.call(gp, 'PUT', '/corona-opt-in', { joined: true }));
  if (before.json?.joined !== true)
    ctx.undo.push(() => ctx.frontOffice.call(gp, 'PUT', '/corona-opt-in', { joined: false }));
}

/** The operator changes the switch point's policies; the old values come back after the scenario. */
export async function setPolicies(ctx: ScenarioContext, policies: Record<string, boolean | undefined>) {
  const url = `${ctx.target.switchPoint}/admin/policies`;
  const before = ok('reading the policies', await ctx.admin.call('GET', url)).json as Record<string, boolean>;
  ok('setting the policies', await ctx.admin.call('PUT', url, { body: policies }));
  const restore = Object.fromEntries(Object.keys(policies).map((k) => [k, before[k]]));
  ctx.undo.push(() => ctx.admin.call('PUT', url, { body: restore }));
}

/**
 * Every service's clock, and this runner's own (it signs the `query` and `hl7Query` steps' assertions, which
 * the switch point checks on its clock); both back on real time after the scenario.
 */
async function setScenarioClock(ctx: ScenarioContext, setting: SetClock) {
  const state = await ctx.control.setClock(setting);
  setClock(state.setting);
  ctx.undo.push(async () => {
    setClock({ mode: 'real' });
    await ctx.control.resetClock();
  });
}

export async function setFault(ctx: ScenarioContext, f: { at: string } & Fault) {
  const { at, ...fault } = f;
  urlOf(ctx, at);
  await ctx.control.setFault(at, fault);
  ctx.undo.push(() => ctx.control.clearFault(at));
}
