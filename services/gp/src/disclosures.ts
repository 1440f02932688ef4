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
import { notePatient, nowIso, pick, type RoutePlugin } from '@schakel/service-kit';
import type { PatientStore } from './patients.js';
import type { DisclosureStore } from './disclosure-store.js';
import {
  NO_BASIS,
  assessQuestion,
  checkBasis,
  checkForm,
  checkPatientInformed,
  declined,
  type RuleOutcome,
} from './disclosure-rules.js';

const decisionOf = ({ permitted: _permitted, ...d }: RuleOutcome): Decision => d;
const refuse = (outcome: RuleOutcome) => notAuthorised(outcome.explanation, { decision: decisionOf(outcome) });

/**
 * The GP's register of requests from non-care providers and of what was disclosed to them
 * (disclosure-rules.ts has the rules). A request is registered only when written; a basis (consent or
 * legal ground) is recorded and checked; only answerable questions are answered, with the medical
 * necessity recorded; every disclosure is kept per patient, and whether (and how) the patient was informed.
 */
export const disclosureRoutes: RoutePlugin<{ patients: PatientStore; disclosures: DisclosureStore }> = async (
  app,
  { patients, disclosures },
) => {
  const IdParams = z.object({ id: z.string().min(1).max(100) });
  const BsnParams = z.object({ bsn: Bsn });
  const getRequest = async (id: string) => {
    const found = await disclosures.request(id);
    if (found === undefined) throw notFound(`Disclosure request ${id}`);
    return found;
  };
  const getDisclosure = async (id: string) => {
    const found = await disclosures.disclosure(id);
    if (found === undefined) throw notFound(`Disclosure ${id}`);
    return found;
  };

  app.post(
    '/patients/:bsn/disclosure-requests',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Register a request for data from a non-care provider (municipality, insurer, occupational doctor, …)',
        description:
          'Only a formal written request is registered (DR-FORM-1); an oral or telephone request is refused with decision REQUEST_NOT_WRITTEN. Each question is assessed: prognosis, judging and general questions are marked not answerable (DR-QUESTION-1).',
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
        return {
          id: `q${i + 1}`,
          text: q.text,
          kind: q.kind,
          answerable: outcome.permitted,
          assessment: decisionOf(outcome),
        };
      });
      const registered = await disclosures.register(bsn, { ...rest, questions: assessed });
      request.log.info(
        { requesterKind: rest.requester.kind, questions: assessed.length },
        'disclosure request registered',
      );
      return reply.status(201).send(registered);
    },
  );

  app.get(
    '/patients/:bsn/disclosure-requests',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'The requests registered for this patient',
        params: BsnParams,
        response: { 200: z.object({ requests: z.array(DisclosureRequest) }), ...pick(400) },
      },
    },
    async (request) => ({ requests: await disclosures.requestsOf(request.params.bsn) }),
  );

  app.get(
    '/disclosure-requests/:id',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'One request',
        params: IdParams,
        response: { 200: DisclosureRequest, ...pick(400, 404) },
      },
    },
    async (request) => {
      const found = await getRequest(request.params.id);
      notePatient(request, found.bsn);
      return found;
    },
  );

  app.put(
    '/disclosure-requests/:id/basis',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Record the patient’s consent or the legal ground for answering',
        description:
          'Consent must be explicit, informed and targeted (CONSENT_NOT_VALID otherwise); a conflict of duties needs all five conditions (CONFLICT_OF_DUTIES_CONDITIONS_UNMET otherwise). Refusals are 403 NOT_AUTHORISED with the decision.',
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
      await disclosures.recordBasis(current.id, request.body);
      return getRequest(current.id);
    },
  );

  app.post(
    '/disclosure-requests/:id/disclosure',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Answer the request and write the disclosure into the patient’s record',
        description:
          'Refused (403) without a recorded basis (NO_CONSENT_OR_LEGAL_GROUND), for any question that may not be answered (its assessment code, e.g. PROGNOSIS_NOT_ANSWERED), and on a legal ground without patientInformed or patientNotInformed (PATIENT_INFORMATION_NOT_RECORDED, DR-INFORM-1). Each answer names the data it gives (DR-DATA-1: only relevant, necessary data). The disclosure records which data, for what purpose, to whom, when, on what basis and why it was necessary; refused questions are listed with their reason.',
        params: IdParams,
        body: DisclosureAnswerInput,
        response: { 201: Disclosure, ...pick(400, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const req = await getRequest(request.params.id);
      if (req.status === 'answered')
        throw conflict(`Disclosure request ${req.id} has been answered already (disclosure ${req.disclosureId ?? ''})`);
      if (req.declined !== undefined)
        throw notAuthorised(req.declined.decision.explanation, { decision: req.declined.decision });
      if (req.basis === undefined) throw refuse(NO_BASIS);
      const informed = checkPatientInformed(req.basis, request.body);
      if (!informed.permitted) throw refuse(informed);
      const questions = new Map(req.questions.map((q) => [q.id, q]));
      const answers = request.body.answers.map((a, i) => {
        const q = questions.get(a.questionId);
        if (q === undefined)
          throw problem('VALIDATION_ERROR', `Question ${a.questionId} is not a question of this request`, {
            field: `body.answers.${i}.questionId`,
            expected: `one of ${[...questions.keys()].join(', ')}`,
          });
        if (!q.answerable)
          throw notAuthorised(`Question ${q.id} may not be answered: ${q.assessment.explanation}`, {
            decision: q.assessment,
          });
        return { questionId: q.id, question: q.text, answer: a.answer, data: a.data };
      });
      const answered = new Set(answers.map((a) => a.questionId));
      const refusedQuestions = req.questions
        .filter((q) => !q.answerable && !answered.has(q.id))
        .map((q) => ({ questionId: q.id, question: q.text, reason: q.assessment }));
      const content = {
        disclosedBy: request.body.disclosedBy,
        to: req.requester,
        purpose: req.purpose,
        basis: req.basis,
        medicalNecessity: request.body.medicalNecessity,
        answers,
        refusedQuestions,
        ...(request.body.patientNotInformed !== undefined
          ? { patientNotInformed: request.body.patientNotInformed }
          : {}),
      };
      const disclosure = await disclosures.disclose(req, content, request.body.patientInformed);
      request.log.info(
        { disclosureId: disclosure.id, answers: answers.length, refused: refusedQuestions.length },
        'disclosure recorded in the patient’s record',
      );
      return reply.status(201).send(disclosure);
    },
  );

  app.post(
    '/disclosure-requests/:id/decline',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Decline the request as a whole, even with the patient’s consent, with a reason (DR-DECLINE-1)',
        description:
          'Consent does not oblige the GP to disclose: good care may argue against it. The request is kept as declined, with the reason, who and when; nothing is disclosed and it can no longer be answered (403 GP_DECLINED).',
        params: IdParams,
        body: DisclosureDeclineInput,
        response: { 200: DisclosureRequest, ...pick(400, 404, 409) },
      },
    },
    async (request) => {
      const req = await getRequest(request.params.id);
      if (req.status === 'answered')
        throw conflict(`Disclosure request ${req.id} has been answered already (disclosure ${req.disclosureId ?? ''})`);
      if (req.status !== 'declined') {
        const { permitted: _p, ...decision } = declined(request.body.reason);
        await disclosures.decline(req.id, { ...request.body, declinedAt: nowIso(), decision });
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
    async (request) => ({ disclosures: await disclosures.disclosuresOf(request.params.bsn) }),
  );

  app.put(
    '/disclosures/:id/patient-informed',
    {
      schema: {
        tags: ['disclosures'],
        summary: 'Record that (and how) the patient was informed of a disclosure',
        params: IdParams,
        body: PatientInformed,
        response: { 200: Disclosure, ...pick(400, 404) },
      },
    },
    async (request) => {
      const d = await getDisclosure(request.params.id);
      await disclosures.setPatientInformed(d.id, request.body);
      return getDisclosure(d.id);
    },
  );
};
