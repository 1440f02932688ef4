import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound, problem, type ConsentRecord } from '@schakel/contracts';
import {
  CONSENT_SYSTEMS,
  bsnOfCriteria,
  choiceFromConsent,
  closedQuestionAnswer,
  consentFromRecord,
  consentFromRequest,
  openQuestionAnswer,
  readClosedQuestion,
  readOpenQuestion,
  readSubscription,
  searchset,
  subscriptionResource,
} from '@schakel/fhir';
import type { ClientIdentity } from '@schakel/service-kit';
import { caller, isAdmin } from '../auth.js';
import { closedQuestion } from '../questions.js';
import { OPEN_QUESTION } from '../interactions/lookups.js';
import { concerns, type Subscription } from '../subscriptions.js';
import type { FhirDeps, FhirModule } from './module.js';

/**
 * Consent in the Mitz model on the FHIR wire (issue #17, docs/fhir.md "Consent in the Mitz model"): the
 * patient's choices as Consent resources over the one consent store (one truth, two faces), the closed and
 * open questions as operations on Consent, and Subscriptions to a patient's profile. Everything here is in
 * the system audience (mutual TLS, the /fhir plugin); who may do what within it is decided below, per
 * caller, with the rule named.
 *
 * Who registers: a connected system (the holder's own system, after the patient chose at its desk or on
 * paper) records choices about sharing by its own organisation, as PUT /consents/{bsn}/{holderUra} does;
 * the operator may record any scope. The citizen chooses in the portal (a person with a DigiD-like
 * session, not a system certificate); those choices are Consents here too.
 */
const base = (request: FastifyRequest) => `https://${request.headers.host ?? '127.0.0.1'}/fhir`;

const PatientSearch = z
  .object({
    patient: z.string().max(200).optional(),
    'patient:identifier': z.string().max(200).optional(),
    'patient.identifier': z.string().max(200).optional(),
    _format: z.string().optional(),
  })
  .strict();

/** Who the caller is as a holder: its organisation and organisation type (undefined for the operator). */
async function holderOf(deps: FhirDeps, client: ClientIdentity) {
  if (isAdmin(client)) return undefined;
  const me = await deps.pipeline.book.get(client.applicationId);
  if (me === undefined)
    throw problem('UNKNOWN_SYSTEM', `System ${client.applicationId} is not in the address book`, {
      decision: {
        code: 'UNKNOWN_SYSTEM',
        rule: 'LSP-AUTH-1: only systems in the address book may ask or send',
        explanation: `System ${client.applicationId} is not in the address book.`,
      },
    });
  return { subscriberUra: me.ura, subscriberType: me.organisationType, me };
}

const notYours = (rule: string, explanation: string) =>
  problem('CLIENT_NOT_ALLOWED', explanation, {
    decision: { code: 'CLIENT_NOT_ALLOWED', rule, explanation },
  });

function consentRoutes(fhir: Parameters<FhirModule['routes']>[0], deps: FhirDeps): void {
  const { consents } = deps.pipeline;

  fhir.post(
    '/Consent',
    { config: { interaction: 'FHIR Consent create' }, schema: { hide: true } },
    async (request, reply) => {
      const client = caller(request);
      const choice = choiceFromConsent(request.body);
      if (!isAdmin(client) && !('ura' in choice.holder && choice.holder.ura === client.ura))
        throw notYours(
          'FHIR-CONSENT-1: a system records choices about sharing by its own organisation only',
          `System ${client.applicationId} (organisation ${client.ura}) may record choices about its own organisation only: name it as the custodian actor (provision.actor, role CST, identifier ${CONSENT_SYSTEMS.ura}|${client.ura}). Choices about a category of holders or all holders are the citizen's, in the portal.`,
        );
      const record = await consents.record(choice.bsn, {
        state: choice.state,
        holder: choice.holder,
        category: choice.category,
        consumerType: choice.consumerType,
        recordedBy: client.applicationId,
        channel: 'holder-system',
      });
      request.log.info({ consentRecordId: record.id, state: record.state }, 'consent registered (FHIR)');
      return reply
        .status(201)
        .header('location', `${base(request)}/Consent/${record.id}`)
        .send(consentFromRecord(record, true));
    },
  );

  fhir.get(
    '/Consent',
    { config: { interaction: 'FHIR Consent search' }, schema: { hide: true, querystring: PatientSearch } },
    async (request) => {
      const q = request.query;
      const given = [q.patient, q['patient:identifier'], q['patient.identifier']].filter((v) => v !== undefined);
      if (given.length !== 1)
        throw problem('MISSING_FIELD', 'Search Consents by one patient', {
          field: 'query.patient',
          expected: `patient=${CONSENT_SYSTEMS.bsn}|<BSN>`,
        });
      const bsn = bsnOfCriteria(`Consent?patient=${encodeURIComponent(given[0] ?? '')}`, 'query.patient');
      const holder = await holderOf(deps, caller(request));
      const inForce = new Set((await consents.inForce(bsn)).map((r) => r.id));
      // The operator sees the whole history; a holder the choices in force that concern it.
      const records = (await consents.history(bsn)).filter(
        (r) => holder === undefined || (inForce.has(r.id) && concerns(r, holder)),
      );
      const requests = await consents.requests({
        bsn,
        status: 'pending',
        ...(holder !== undefined ? { holderUra: holder.subscriberUra } : {}),
      });
      return searchset(base(request), [
        ...records.map((r) => consentFromRecord(r, inForce.has(r.id))),
        ...requests.map(consentFromRequest),
      ]);
    },
  );

  const Id = z.object({ id: z.string().regex(/^(request-)?\d{1,12}$/) });
  /** One record or pending request, if it concerns the caller; otherwise not found (it does not say it exists). */
  async function find(request: FastifyRequest, id: string) {
    const holder = await holderOf(deps, caller(request));
    if (id.startsWith('request-')) {
      const [r] = await consents.requests({ id: Number(id.slice('request-'.length)) });
      if (r === undefined || r.status !== 'pending' || (holder !== undefined && r.holderUra !== holder.subscriberUra))
        throw notFound(`Consent/${id}`);
      return { request: r, holder };
    }
    const found = await consents.get(Number(id));
    if (found === undefined || (holder !== undefined && !(found.inForce && concerns(found.record, holder))))
      throw notFound(`Consent/${id}`);
    return { found, holder };
  }

  fhir.get(
    '/Consent/:id',
    { config: { interaction: 'FHIR Consent read' }, schema: { hide: true, params: Id } },
    async (request) => {
      const r = await find(request, request.params.id);
      return r.found !== undefined ? consentFromRecord(r.found.record, r.found.inForce) : consentFromRequest(r.request);
    },
  );

  fhir.delete(
    '/Consent/:id',
    { config: { interaction: 'FHIR Consent withdraw' }, schema: { hide: true, params: Id } },
    async (request, reply) => {
      const client = caller(request);
      const r = await find(request, request.params.id);
      const record: ConsentRecord | undefined = r.found?.record;
      if (record === undefined || !r.found?.inForce || record.state === 'no-choice')
        throw problem(
          'CONFLICT',
          `Consent/${request.params.id} is not a choice in force; there is nothing to withdraw`,
        );
      if (!isAdmin(client) && !('ura' in record.holder && record.holder.ura === client.ura))
        throw notYours(
          'FHIR-CONSENT-1: a system records choices about sharing by its own organisation only',
          `System ${client.applicationId} may withdraw only choices about its own organisation; this one is about ${'ura' in record.holder ? `organisation ${record.holder.ura}` : 'a category of holders'}.`,
        );
      // Append-only: a withdrawal is a newer no-choice for the same scope (decisions.md 15).
      const withdrawal = await consents.record(record.bsn, {
        state: 'no-choice',
        holder: record.holder,
        category: record.category,
        consumerType: record.consumerType,
        recordedBy: client.applicationId,
        channel: 'holder-system',
      });
      request.log.info({ consentRecordId: record.id, withdrawal: withdrawal.id }, 'consent withdrawn (FHIR)');
      return reply.status(204).send();
    },
  );

  fhir.post(
    '/Consent/$closed-question',
    { config: { interaction: 'CLOSED_QUESTION' }, schema: { hide: true } },
    async (request) => {
      const q = readClosedQuestion(request.body);
      const answer = await closedQuestion(
        deps.pipeline,
        q,
        { client: caller(request), aorta: request.aorta },
        'body.parameter[holder]',
      );
      return closedQuestionAnswer(answer);
    },
  );

  fhir.post(
    '/Consent/$open-question',
    { config: { interaction: OPEN_QUESTION.interaction }, schema: { hide: true } },
    async (request) =>
      openQuestionAnswer(await deps.run(OPEN_QUESTION, readOpenQuestion(request.body), deps.signed(request))),
  );
}

function subscriptionRoutes(fhir: Parameters<FhirModule['routes']>[0], deps: FhirDeps): void {
  const { subscriptions } = deps;
  const own = async (request: FastifyRequest, id: string): Promise<Subscription> => {
    const s = await subscriptions.get(id);
    const client = caller(request);
    if (s === undefined || (!isAdmin(client) && s.subscriberApplicationId !== client.applicationId))
      throw notFound(`Subscription/${id}`);
    return s;
  };
  const Id = z.object({ id: z.uuid() });

  fhir.post(
    '/Subscription',
    { config: { interaction: 'FHIR Subscription create' }, schema: { hide: true } },
    async (request, reply) => {
      const client = caller(request);
      const s = readSubscription(request.body);
      const holder = await holderOf(deps, client);
      const baseUrl = holder?.me.baseUrl;
      // Notifications carry a patient's choices: they go to the subscriber's own system only (and the
      // switch point calls no address a caller makes up).
      if (
        holder === undefined ||
        baseUrl === null ||
        baseUrl === undefined ||
        new URL(s.endpoint).origin !== new URL(baseUrl).origin
      )
        throw notYours(
          'FHIR-SUB-1: notifications go to the subscriber’s own system, at the origin of its base URL in the address book',
          `The endpoint must be on ${baseUrl ?? 'your system’s base URL in the address book (none is entered)'}.`,
        );
      const created = await subscriptions.create({
        subscriberApplicationId: client.applicationId,
        subscriberUra: holder.subscriberUra,
        subscriberType: holder.subscriberType,
        ...s,
      });
      request.log.info({ subscription: created.id }, 'subscription created');
      return reply
        .status(201)
        .header('location', `${base(request)}/Subscription/${created.id}`)
        .send(subscriptionResource(created));
    },
  );

  fhir.get(
    '/Subscription/:id',
    { config: { interaction: 'FHIR Subscription read' }, schema: { hide: true, params: Id } },
    async (request) => subscriptionResource(await own(request, request.params.id)),
  );

  fhir.delete(
    '/Subscription/:id',
    { config: { interaction: 'FHIR Subscription delete' }, schema: { hide: true, params: Id } },
    async (request, reply) => {
      await own(request, request.params.id);
      await subscriptions.off(request.params.id);
      return reply.status(204).send();
    },
  );
}

export const consentModule: FhirModule = {
  name: 'consent',
  capability: {
    resource: [
      {
        type: 'Consent',
        documentation:
          'The consent profile (Mitz model): a Consent per choice (holder, data category, consumer category; permit or deny). Systems register choices about their own organisation; the portal’s choices appear here too.',
        interaction: [{ code: 'create' }, { code: 'read' }, { code: 'delete' }, { code: 'search-type' }],
        searchParam: [
          {
            name: 'patient',
            type: 'reference',
            documentation: `patient=${CONSENT_SYSTEMS.bsn}|<BSN> (also patient:identifier)`,
          },
        ],
        operation: [
          {
            name: 'closed-question',
            definition: 'https://schakel.dev/fhir/OperationDefinition/Consent-closed-question',
            documentation:
              'May role R of organisation type T see category C held by H for this patient? permit/deny per category, with the deciding rule and consent record.',
          },
          {
            name: 'open-question',
            definition: 'https://schakel.dev/fhir/OperationDefinition/Consent-open-question',
            documentation:
              'Which registered holders may share category C with me? Needs the professional’s signed assertion (QUMT_IN020010).',
          },
        ],
      },
      {
        type: 'Subscription',
        documentation:
          'rest-hook subscriptions to a patient’s consent profile: criteria Consent?patient=<bsn system>|<BSN>.',
        interaction: [{ code: 'create' }, { code: 'read' }, { code: 'delete' }],
      },
    ],
  },
  routes(fhir, deps) {
    consentRoutes(fhir, deps);
    subscriptionRoutes(fhir, deps);
  },
};
