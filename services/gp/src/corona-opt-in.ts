import { z } from 'zod';
import { PolicyNotice, type AortaId } from '@schakel/contracts';
import { nowIso, pick, upstreamProblem, type App, type Kysely, type SwitchPointClient } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';
import type { PatientStore } from './patients.js';

const CATEGORY = 'WAARNEEMGEGEVENS';
const SETTING = 'corona-opt-in';
type Aorta = Pick<AortaId, 'initialRequestId'>;

/**
 * The corona opt-in at the practice (LHV, 2020 to April 2023): the GP practices made the professional
 * summary of their patients with no choice yet findable themselves (objectors never), so that the covering
 * GP at the HAP or SEH could ask the patient for verbal consent on the spot. Here: a practice that joined
 * the opt-in keeps, while the switch point's corona opt-in runs, every no-choice patient registered for
 * WAARNEEMGEGEVENS with the reason `corona-opt-in`; it withdraws such an entry when the opt-in ends, when the
 * practice leaves it, or when the patient objects (docs/decisions.md 23). A patient who consents is registered for
 * consent instead. Whether the summary is then shown stays the switch point's decision (verbal consent on
 * the spot, the stop button, presumed consent: POLICY-CORONA and POLICY-PRESUMED).
 */
export function createCoronaOptIn(db: Kysely<GpDatabase>, lsp: SwitchPointClient, me: { applicationId: string }) {
  const joined = async () =>
    (await db.selectFrom('practice_settings').select('value').where('name', '=', SETTING).executeTakeFirst())?.value ===
    'joined';
  const registeredCount = async () =>
    (
      await db
        .selectFrom('patients')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('opt_in_registered_at', 'is not', null)
        .executeTakeFirstOrThrow()
    ).n;

  type Row = { bsn: string; consent_state: string; opt_in_registered_at: string | null };
  /** One patient's entry in line with the opt-in: registered for it exactly when it runs and the patient has no choice. */
  async function align(p: Row, optInRuns: boolean, aorta?: Aorta): Promise<'registered' | 'withdrawn' | 'unchanged'> {
    const wanted = optInRuns && p.consent_state === 'no-choice';
    const registered = p.opt_in_registered_at !== null;
    if (wanted === registered) return 'unchanged';
    if (wanted) {
      await lsp.register(p.bsn, CATEGORY, me.applicationId, aorta, 'corona-opt-in');
      await db.updateTable('patients').set({ opt_in_registered_at: nowIso() }).where('bsn', '=', p.bsn).execute();
      return 'registered';
    }
    // A patient who consented meanwhile is registered for consent now, one who objected is deregistered
    // already (consent.ts): only a patient still without a choice is withdrawn here.
    if (p.consent_state === 'no-choice') await lsp.deregister(p.bsn, CATEGORY, me.applicationId, aorta);
    await db.updateTable('patients').set({ opt_in_registered_at: null }).where('bsn', '=', p.bsn).execute();
    return p.consent_state === 'no-choice' ? 'withdrawn' : 'unchanged';
  }

  const patientRows = () => db.selectFrom('patients').select(['bsn', 'consent_state', 'opt_in_registered_at']);
  let queue: Promise<unknown> = Promise.resolve();

  return {
    joined,
    registeredCount,
    async setJoined(on: boolean): Promise<void> {
      const row = { name: SETTING, value: on ? 'joined' : 'left', changed_at: nowIso() };
      await db
        .insertInto('practice_settings')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet(row))
        .execute();
    },
    /** After a patient arrived or changed their choice. Asks the switch point whether the opt-in runs only when the practice joined it. */
    async reconcile(bsn: string): Promise<void> {
      const p = await patientRows().where('bsn', '=', bsn).executeTakeFirst();
      if (p === undefined) return;
      const member = await joined();
      if (!member && p.opt_in_registered_at === null) return;
      await align(p, member && (await lsp.policies()).coronaOptIn);
    },
    /**
     * Every patient in line with the opt-in: `optInRuns` as the switch point just told, or asked now. Runs
     * one at a time (a notice and a front-office call may come together).
     */
    reconcileAll(
      optInRuns?: boolean,
      aorta?: Aorta,
    ): Promise<{ coronaOptIn: boolean; registered: number; withdrawn: number }> {
      const run = async () => {
        const runs = optInRuns ?? (await lsp.policies()).coronaOptIn;
        const on = runs && (await joined());
        const rows = on
          ? await patientRows()
              .where((eb) =>
                eb.or([
                  eb.and([eb('consent_state', '=', 'no-choice'), eb('opt_in_registered_at', 'is', null)]),
                  eb.and([eb('opt_in_registered_at', 'is not', null), eb('consent_state', '!=', 'no-choice')]),
                ]),
              )
              .execute()
          : await patientRows().where('opt_in_registered_at', 'is not', null).execute();
        let registered = 0;
        let withdrawn = 0;
        for (const p of rows) {
          const done = await align(p, on, aorta);
          if (done === 'registered') registered++;
          if (done === 'withdrawn') withdrawn++;
        }
        return { coronaOptIn: runs, registered, withdrawn };
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
export type CoronaOptIn = ReturnType<typeof createCoronaOptIn>;

const OptInState = z
  .object({
    joined: z
      .boolean()
      .describe('The practice joined the corona opt-in: while it runs, its no-choice patients are findable'),
    registeredPatients: z.number().int().describe('Patients registered for the opt-in now'),
  })
  .meta({ id: 'CoronaOptInState' });
const OptInRun = OptInState.extend({
  coronaOptIn: z.boolean().describe('Whether the switch point’s corona opt-in runs'),
  registered: z.number().int().describe('Patients registered by this call'),
  withdrawn: z.number().int().describe('Patients withdrawn by this call'),
}).meta({ id: 'CoronaOptInRun' });

/** The front office's side: join or leave the opt-in, and keep new patients and changed choices in step. */
export function coronaOptInRoutes(app: App, deps: { optIn: CoronaOptIn; patients: PatientStore }): void {
  const { optIn } = deps;
  // A new patient, or a changed choice: keep the registration in step. A failure here leaves the local
  // change standing; the next notice or front-office run puts the index right.
  deps.patients.onChange((bsn) =>
    optIn
      .reconcile(bsn)
      .catch((err: unknown) => app.log.warn({ err, bsn }, 'corona opt-in registration not brought in line')),
  );

  app.get(
    '/corona-opt-in',
    {
      schema: {
        tags: ['consent'],
        summary: 'Whether the practice joined the corona opt-in, and how many patients it registered for it',
        response: { 200: OptInState },
      },
    },
    async () => ({
      joined: await optIn.joined(),
      registeredPatients: await optIn.registeredCount(),
    }),
  );
  app.put(
    '/corona-opt-in',
    {
      schema: {
        tags: ['consent'],
        summary:
          'Join or leave the corona opt-in: make the summary of every patient with no choice yet findable (objectors never), or withdraw it',
        description:
          'Joining registers every no-choice patient for WAARNEEMGEGEVENS with reason corona-opt-in (MFMT_IN002101) while the switch point’s corona opt-in runs, and keeps doing so for new patients; leaving withdraws them (MFMT_IN002103). The switch point still shows such a summary only after verbal consent on the spot, never with the stop button on.',
        body: z.object({ joined: z.boolean() }).strict(),
        response: { 200: OptInRun, ...pick(400, 502, 504) },
      },
    },
    async (request) => {
      await optIn.setJoined(request.body.joined);
      try {
        const run = await optIn.reconcileAll(undefined, request.aorta);
        request.log.info({ joined: request.body.joined, ...run }, 'corona opt-in registrations brought in line');
        return { joined: request.body.joined, registeredPatients: await optIn.registeredCount(), ...run };
      } catch (err) {
        throw upstreamProblem(err, 'Registering for the corona opt-in at the switch point');
      }
    },
  );
}

/** The switch point's leg: it tells the practice that the corona opt-in started or ended. */
export function policyNoticeRoutes(app: App, optIn: CoronaOptIn): void {
  app.post(
    '/lsp/policy-notices',
    {
      schema: {
        tags: ['switch point'],
        summary: 'The switch point tells the practice that the corona opt-in started or ended',
        description:
          'When it ended, every patient registered for the opt-in is withdrawn; when it started, a practice that joined registers its no-choice patients.',
        body: PolicyNotice,
        response: { 200: OptInRun, ...pick(400, 502, 504) },
      },
    },
    async (request) => {
      try {
        const run = await optIn.reconcileAll(request.body.policies.coronaOptIn, request.aorta);
        request.log.info(run, 'corona opt-in notice handled');
        return { joined: await optIn.joined(), registeredPatients: await optIn.registeredCount(), ...run };
      } catch (err) {
        throw upstreamProblem(err, 'Bringing the corona opt-in registrations in line');
      }
    },
  );
}
