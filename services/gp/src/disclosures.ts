import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  Bsn,
  Disclosure,
  DisclosureAnswerInput,
  DisclosureBasis,
  DisclosureDeclineInput,
  DisclosureRequest,
  NewDisclosureRequest,
  PatientInformed,
  conflict,
  notAuthorised,
  notFound,
  problem,
  type Decision,
} from '@schakel/contracts';
import { nowIso, pick, type App, type Kysely, type Selectable } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';
import type { PatientStore } from './patients.js';
import { NO_BASIS, assessQuestion, checkBasis, checkForm, declined, type RuleOutcome } from './disclosure-rules.js';

const decisionOf = ({ permitted: _permitted, ...d }: RuleOutcome): Decision => d;
const refuse = (outcome: RuleOutcome) => notAuthorised(outcome.explanation, { decision: decisionOf(outcome) });

type RequestRow = Selectable<GpDatabase['disclosure_requests']>;
type DisclosureRow = Selectable<GpDatabase['disclosures']>;

function toRequest(r: RequestRow): DisclosureRequest {
  const body = JSON.parse(r.body) as Omit<DisclosureRequest, 'id' | 'bsn' | 'status' | 'registeredAt'>;
  return {
    ...body,
    id: r.id,
    bsn: r.bsn,
    status: r.status as DisclosureRequest['status'],
    registeredAt: r.registered_at,
    ...(r.basis !== null ? { basis: JSON.parse(r.basis) as DisclosureBasis } : {}),
    ...(r.basis_recorded_at !== null ? { basisRecordedAt: r.basis_recorded_at } : {}),
    ...(r.disclosure_id !== null ? { disclosureId: r.disclosure_id } : {}),
    ...(r.declined !== null ? { declined: JSON.parse(r.declined) as NonNullable<DisclosureRequest['declined']> } : {}),
  };
}

function toDisclosure(r: DisclosureRow): Disclosure {
  return {
    ...(JSON.parse(r.body) as Omit<Disclosure, 'id' | 'requestId' | 'bsn' | 'disclosedAt' | 'patientInformed'>),
    id: r.id,
    requestId: r.request_id,
    bsn: r.bsn,
    disclosedAt: r.disclosed_at,
    ...(r.patient_informed !== null ? { patientInformed: JSON.parse(r.patient_informed) as NonNullable<Disclosure['patientInformed']> } : {}),
  };
}

/**
 * The GP's register of requests from non-care providers and of what was disclosed to them
 * (disclosure-rules.ts has the rules). A request is registered only when written; a basis (consent or
 * legal ground) is recorded and checked; only answerable questions are answered, with the medical
 * necessity recorded; every disclosure is kept per patient, and whether (and how) the patient was informed.
 */
export function disclosureRoutes(app: App, db: Kysely<GpDatabase>, patients: PatientStore): void {
  const IdParams = z.object({ id: z.string().min(1).max(100) });
  const BsnParams = z.object({ bsn: Bsn });
  const getRequest = async (id: string) => {
    const row = await db.selectFrom('disclosure_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFound(`Disclosure request ${id}`);
    return toRequest(row);
  };
  const getDisclosure = async (id: string) => {
    const row = await db.selectFrom('disclosures').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFound(`Disclosure ${id}`);
    return toDisclosure(row);
  };

  app.post(
    '/patients/:bsn/disclosure-requests',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Register a request for data from a non-care provider (municipality, insurer, occupational doctor, …)',
        description: 'Only a formal written request is registered (DR-FORM-1); an oral or telephone request is refused with decision REQUEST_NOT_WRITTEN. Each question is assessed: prognosis, judging and general questions are marked not answerable (DR-QUESTION-1).',
        params: BsnParams,
        body: NewDisclosureRequest,
        response: { 201: DisclosureRequest, ...pick(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const { bsn } = request.params;
      if ((await patients.get(bsn)) === undefined) throw notFound(`Patient ${bsn}`);
      const form = checkForm(request.body.form);
      if (!form.permitted) throw refuse(form);
      const { questions, ...rest } = request.body;
      const assessed = questions.map((q, i) => {
        const outcome = assessQuestion(q.kind);
        return { id: `q${i + 1}`, text: q.text, kind: q.kind, answerable: outcome.permitted, assessment: decisionOf(outcome) };
      });
      const row = { id: randomUUID(), bsn, status: 'received', body: JSON.stringify({ ...rest, questions: assessed }), basis: null, basis_recorded_at: null, disclosure_id: null, registered_at: nowIso(), declined: null };
      await db.insertInto('disclosure_requests').values(row).execute();
      request.log.info({ requesterKind: rest.requester.kind, questions: assessed.length }, 'disclosure request registered');
      return reply.status(201).send(toRequest(row));
    },
  );

  app.get(
    '/patients/:bsn/disclosure-requests',
    { schema: { tags: ['disclosures'], summary: 'The requests registered for this patient', params: BsnParams, response: { 200: z.object({ requests: z.array(DisclosureRequest) }), ...pick(400) } } },
    async (request) => ({
      requests: (await db.selectFrom('disclosure_requests').selectAll().where('bsn', '=', request.params.bsn).orderBy('registered_at').execute()).map(toRequest),
    }),
  );

  app.get(
    '/disclosure-requests/:id',
    { schema: { tags: ['disclosures'], summary: 'One request', params: IdParams, response: { 200: DisclosureRequest, ...pick(400, 404) } } },
    async (request) => getRequest(request.params.id),
  );

  app.put(
    '/disclosure-requests/:id/basis',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Record the patient’s consent or the legal ground for answering',
        description: 'Consent must be explicit, informed and targeted (CONSENT_NOT_VALID otherwise); a conflict of duties needs all five conditions (CONFLICT_OF_DUTIES_CONDITIONS_UNMET otherwise). Refusals are 403 NOT_AUTHORISED with the decision.',
        params: IdParams,
        body: DisclosureBasis,
        response: { 200: DisclosureRequest, ...pick(400, 403, 404, 409) },
      },
    },
    async (request) => {
      const current = await getRequest(request.params.id);
      if (current.status === 'answered') throw conflict(`Disclosure request ${current.id} has been answered already`);
      if (current.status === 'declined') throw conflict(`Disclosure request ${current.id} was declined`);
      const outcome = checkBasis(request.body);
      if (!outcome.permitted) throw refuse(outcome);
      await db
        .updateTable('disclosure_requests')
        .set({ basis: JSON.stringify(request.body), basis_recorded_at: nowIso(), status: 'basis-recorded' })
        .where('id', '=', current.id)
        .execute();
      return getRequest(current.id);
    },
  );

  app.post(
    '/disclosure-requests/:id/disclosure',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Answer the request and write the disclosure into the patient’s record',
        description: 'Refused (403) without a recorded basis (NO_CONSENT_OR_LEGAL_GROUND) and for any question that may not be answered (its assessment code, e.g. PROGNOSIS_NOT_ANSWERED). The disclosure records which data, for what purpose, to whom, when, on what basis and why it was necessary; refused questions are listed with their reason.',
        params: IdParams,
        body: DisclosureAnswerInput,
        response: { 201: Disclosure, ...pick(400, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const req = await getRequest(request.params.id);
      if (req.status === 'answered') throw conflict(`Disclosure request ${req.id} has been answered already (disclosure ${req.disclosureId ?? ''})`);
      if (req.declined !== undefined) throw notAuthorised(req.declined.decision.explanation, { decision: req.declined.decision });
      if (req.basis === undefined) throw refuse(NO_BASIS);
      const questions = new Map(req.questions.map((q) => [q.id, q]));
      const answers = request.body.answers.map((a, i) => {
        const q = questions.get(a.questionId);
        if (q === undefined) throw problem('VALIDATION_ERROR', `Question ${a.questionId} is not a question of this request`, { field: `body.answers.${i}.questionId`, expected: `one of ${[...questions.keys()].join(', ')}` });
        if (!q.answerable) throw notAuthorised(`Question ${q.id} may not be answered: ${q.assessment.explanation}`, { decision: q.assessment });
        return { questionId: q.id, question: q.text, answer: a.answer, data: a.data };
      });
      const answered = new Set(answers.map((a) => a.questionId));
      const refusedQuestions = req.questions.filter((q) => !q.answerable && !answered.has(q.id)).map((q) => ({ questionId: q.id, question: q.text, reason: q.assessment }));
      const disclosedAt = nowIso();
      const body = { disclosedBy: request.body.disclosedBy, to: req.requester, purpose: req.purpose, basis: req.basis, medicalNecessity: request.body.medicalNecessity, answers, refusedQuestions };
      const informed = request.body.patientInformed === undefined ? null : JSON.stringify({ ...request.body.patientInformed, recordedAt: disclosedAt });
      const row = { id: randomUUID(), request_id: req.id, bsn: req.bsn, disclosed_at: disclosedAt, body: JSON.stringify(body), patient_informed: informed };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('disclosures').values(row).execute();
        await tx.updateTable('disclosure_requests').set({ status: 'answered', disclosure_id: row.id }).where('id', '=', req.id).execute();
      });
      request.log.info({ disclosureId: row.id, answers: answers.length, refused: refusedQuestions.length }, 'disclosure recorded in the patient’s record');
      return reply.status(201).send(toDisclosure(row));
    },
  );

  app.post(
    '/disclosure-requests/:id/decline',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Decline the request as a whole, even with the patient’s consent, with a reason (DR-DECLINE-1)',
        description: 'Consent does not oblige the GP to disclose: good care may argue against it. The request is kept as declined, with the reason, who and when; nothing is disclosed and it can no longer be answered (403 GP_DECLINED).',
        params: IdParams,
        body: DisclosureDeclineInput,
        response: { 200: DisclosureRequest, ...pick(400, 404, 409) },
      },
    },
    async (request) => {
      const req = await getRequest(request.params.id);
      if (req.status === 'answered') throw conflict(`Disclosure request ${req.id} has been answered already (disclosure ${req.disclosureId ?? ''})`);
      if (req.status !== 'declined') {
        const { permitted: _p, ...decision } = declined(request.body.reason);
        const value = JSON.stringify({ ...request.body, declinedAt: nowIso(), decision });
        await db.updateTable('disclosure_requests').set({ status: 'declined', declined: value }).where('id', '=', req.id).execute();
        request.log.info({ requestId: req.id }, 'disclosure request declined by the GP');
      }
      return getRequest(req.id);
    },
  );

  app.get(
    '/patients/:bsn/disclosures',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'What was disclosed about this patient to non-care providers, oldest first (to inform the patient)',
        params: BsnParams,
        response: { 200: z.object({ disclosures: z.array(Disclosure) }), ...pick(400) },
      },
    },
    async (request) => ({
      disclosures: (await db.selectFrom('disclosures').selectAll().where('bsn', '=', request.params.bsn).orderBy('disclosed_at').execute()).map(toDisclosure),
    }),
  );

  app.put(
    '/disclosures/:id/patient-informed',
    { schema: { tags: ['disclosures'], summary: 'Record that (and how) the patient was informed of a disclosure', params: IdParams, body: PatientInformed, response: { 200: Disclosure, ...pick(400, 404) } } },
    async (request) => {
      const d = await getDisclosure(request.params.id);
      await db.updateTable('disclosures').set({ patient_informed: JSON.stringify({ ...request.body, recordedAt: nowIso() }) }).where('id', '=', d.id).execute();
      return getDisclosure(d.id);
    },
  );
}
