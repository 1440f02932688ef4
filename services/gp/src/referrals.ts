import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  ApplicationId,
  Bsn,
  Professional,
  ReportAcknowledgement,
  notFound,
  problem,
  type ReferralLetter,
} from '@schakel/contracts';
import {
  DEFAULT_REPORT_CONFIG,
  startDeliveryWorker,
  type AttemptResult,
  type DeliveryWorker,
  type ReportConfig,
} from '@schakel/consult';
import {
  CallError,
  nowIso,
  pick,
  type RoutePlugin,
  type ServiceClient,
  type SwitchPointClient,
} from '@schakel/service-kit';
import type { PatientStore } from './patients.js';
import type { RecordStore } from './record-store.js';
import { Referral, type ReferralStore } from './referral-store.js';

const NewReferral = z
  .object({
    to: z
      .object({ applicationId: ApplicationId })
      .strict()
      .describe('The hospital system referred to (its address-book entry)'),
    referrer: Professional.describe('The referring GP'),
    reason: z.string().min(1).max(2000).describe('Reden van verwijzing'),
    question: z.string().min(1).max(2000).describe('Vraagstelling for the specialist'),
    items: z.array(z.string().min(1)).min(1).max(200).describe('The record items the GP chose to send (ids)'),
    objectedItems: z
      .array(z.string().min(1))
      .max(200)
      .default([])
      .describe(
        'Of those, the items the patient objected to: they are left out of the letter and never leave the practice',
      ),
  })
  .strict()
  .meta({ id: 'NewReferral' });

/**
 * One attempt to deliver a letter: find the hospital in the switch point's address book, then send it
 * there directly over mutual TLS (the practice's system certificate), and read the MCCI_IN000002 answer.
 * A refusal (4xx) is final; anything else (down, too slow) is tried again, the hospital de-duplicating by
 * message id, so a letter arrives exactly once.
 */
function createReferralAttempt(deps: { lsp: SwitchPointClient; client: ServiceClient | undefined; timeoutMs: number }) {
  const failure = (what: string, err: unknown): AttemptResult => {
    if (err instanceof CallError) {
      const p = err.detail.problem;
      if (err.kind === 'problem' && p !== undefined && p.status < 500)
        return { kind: 'rejected', code: p.code, reason: `${what}: ${p.detail ?? p.title}` };
    }
    return { kind: 'retry', error: `${what}: ${err instanceof Error ? err.message : String(err)}` };
  };
  return async (letter: ReferralLetter): Promise<AttemptResult> => {
    if (deps.client === undefined) return { kind: 'retry', error: 'this practice has no client for other systems' };
    let target;
    try {
      target = await deps.lsp.system(letter.to.applicationId);
    } catch (err) {
      return failure('the address book', err);
    }
    if (target.baseUrl === null)
      return { kind: 'retry', error: `the address book has no base URL for ${target.organisationName} yet` };
    try {
      const ack = (
        await deps.client.call(target.baseUrl, {
          method: 'POST',
          path: '/referrals/letters',
          body: letter,
          schema: ReportAcknowledgement,
          aorta: { initialRequestId: letter.messageId },
          timeoutMs: deps.timeoutMs,
        })
      ).body;
      const routed = {
        ...ack,
        deliveredTo: {
          applicationId: target.applicationId,
          ura: target.ura,
          organisationName: target.organisationName,
        },
      };
      if (ack.messageId !== letter.messageId)
        return {
          kind: 'retry',
          error: `${target.organisationName} acknowledged another message id (${ack.messageId})`,
        };
      switch (ack.acknowledgement) {
        case 'AA':
          return { kind: 'delivered', ack: routed };
        case 'AR':
          return { kind: 'rejected', code: ack.code ?? 'REJECTED', reason: ack.reason ?? 'rejected', ack: routed };
        case 'AE':
          return { kind: 'retry', error: `AE from ${target.organisationName}: ${ack.code ?? ''}`.trim() };
      }
    } catch (err) {
      return failure(target.organisationName, err);
    }
  };
}

/**
 * Referral to a medical specialist (verwijzing). LHV: a referral implies the patient's consent to send the
 * information needed, unless the patient objects to specific items, which are then left out of the
 * letter. The GP chooses the items from the record and marks those the patient objected to; the letter is
 * written without them (rule GP-REF-1) and stored with the referral before anything goes on the wire
 * (202); a background loop delivers it to the hospital (decisions.md 28).
 */
export const referralRoutes: RoutePlugin<{
  patients: PatientStore;
  record: RecordStore;
  referrals: ReferralStore;
  lsp: SwitchPointClient;
  client: ServiceClient | undefined;
  me: { ura: string; applicationId: string; name: string };
  config?: Partial<ReportConfig>;
}> = async (app, { patients, record, referrals, lsp, client, me, config }) => {
  const settings = { ...DEFAULT_REPORT_CONFIG, ...config };
  const attempt = createReferralAttempt({ lsp, client, timeoutMs: settings.REPORT_DELIVERY_TIMEOUT_MS });
  let worker: DeliveryWorker | undefined;
  app.addHook('onReady', async () => {
    const recovered = await referrals.recover();
    if (recovered > 0) app.log.warn({ recovered }, 'referral letters interrupted by a stop are tried again');
    worker = startDeliveryWorker({
      outbox: referrals.queue,
      attempt,
      config: settings,
      log: app.log,
      what: 'referral letter',
    });
  });
  app.addHook('preClose', async () => worker?.stop());

  app.post(
    '/patients/:bsn/referrals',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Refer the patient to a medical specialist: write the letter without the objected items, and send it',
        description:
          '202: the referral and its letter are stored; delivery to the hospital follows in the background (GET /referrals/{id}). The letter carries the chosen record items except those the patient objected to (GP-REF-1), which never leave the practice; `withheldAtPatientsRequest` tells the specialist something was left out, not what. 400 when an objected item was not chosen; 404 for an unknown patient or record item.',
        params: z.object({ bsn: Bsn }),
        body: NewReferral,
        response: { 202: Referral, ...pick(400, 404) },
      },
    },
    async (request, reply) => {
      const { bsn } = request.params;
      const body = request.body;
      const patient = await patients.get(bsn);
      if (patient === undefined) throw notFound(`Patient ${bsn}`);
      const chosen = new Set(body.items);
      const objected = [...new Set(body.objectedItems)];
      const stray = objected.find((id) => !chosen.has(id));
      if (stray !== undefined)
        throw problem('VALIDATION_ERROR', `Objected item ${stray} is not among the items chosen for the letter`, {
          field: 'body.objectedItems',
          expected: 'ids from body.items',
        });
      const sent = [];
      for (const id of chosen) {
        const entry = await record.entry(bsn, id);
        if (entry === undefined) throw notFound(`Record item ${id} of patient ${bsn}`);
        // GP-REF-1: an item the patient objected to is not copied into the letter at all.
        if (objected.includes(id)) continue;
        sent.push({ id: entry.id, kind: entry.kind, fields: entry.fields });
      }
      const letter: ReferralLetter = {
        messageId: randomUUID(),
        bsn,
        patient: { name: patient.name, birthDate: patient.birthDate },
        from: { applicationId: me.applicationId, ura: me.ura, organisationName: me.name, referrer: body.referrer },
        to: body.to,
        reason: body.reason,
        question: body.question,
        items: sent,
        withheldAtPatientsRequest: objected.length > 0,
        writtenAt: nowIso(),
      };
      const id = randomUUID();
      await referrals.create(id, letter, objected);
      request.log.info(
        { referral: id, messageId: letter.messageId, to: body.to.applicationId },
        'referral letter queued',
      );
      worker?.kick();
      const stored = await referrals.get(id);
      if (stored === undefined) throw notFound(`Referral ${id}`);
      return reply.status(202).send(stored);
    },
  );
  app.get(
    '/patients/:bsn/referrals',
    {
      schema: {
        tags: ['referrals'],
        summary: 'The patient’s referrals, newest first',
        params: z.object({ bsn: Bsn }),
        response: { 200: z.object({ referrals: z.array(Referral) }), ...pick(400) },
      },
    },
    async (request) => ({ referrals: await referrals.forPatient(request.params.bsn) }),
  );
  app.get(
    '/referrals/:id',
    {
      schema: {
        tags: ['referrals'],
        summary: 'One referral, its letter and the letter’s delivery state',
        params: z.object({ id: z.uuid() }),
        response: { 200: Referral, ...pick(400, 404) },
      },
    },
    async (request) => {
      const r = await referrals.get(request.params.id);
      if (r === undefined) throw notFound(`Referral ${request.params.id}`);
      return r;
    },
  );
};
