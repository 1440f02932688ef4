import { z } from 'zod';
import { Bsn, Cio, Dispense, DispenseInput, NewCio, PatientDemographics, SourceMedicationAnswer, SourceMedicationQuery, describeInteraction, notFound } from '@schakel/contracts';
import { pick, type RoutePlugin, type SourceLog } from '@schakel/service-kit';
import { PharmacyPatient, type PharmacyStore } from './store.js';

const BsnParams = z.object({ bsn: Bsn });

/** Front office: patients and their dispenses and contra-indications, as the pharmacy records them. */
export const frontOfficeRoutes: RoutePlugin<{ store: PharmacyStore }> = async (app, { store }) => {
  app.put(
    '/patients/:bsn',
    {
      schema: { tags: ['patients'], summary: 'Enter or update a patient', params: BsnParams, body: PatientDemographics, response: { 200: PharmacyPatient, 201: PharmacyPatient, ...pick(400) } },
    },
    async (request, reply) => {
      const { patient, created } = await store.upsertPatient(request.params.bsn, request.body);
      return reply.status(created ? 201 : 200).send(patient);
    },
  );
  app.get(
    '/patients/:bsn',
    { schema: { tags: ['patients'], summary: 'One patient with their consent choice', params: BsnParams, response: { 200: PharmacyPatient, ...pick(400, 404) } } },
    async (request) => {
      const patient = await store.getPatient(request.params.bsn);
      if (patient === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return patient;
    },
  );
  app.post(
    '/patients/:bsn/dispenses',
    {
      schema: { tags: ['dispenses'], summary: 'Record a dispense', params: BsnParams, body: DispenseInput, response: { 201: Dispense, ...pick(400, 404) } },
    },
    async (request, reply) => {
      if ((await store.getPatient(request.params.bsn)) === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return reply.status(201).send(await store.addDispense(request.params.bsn, request.body));
    },
  );
  app.get(
    '/patients/:bsn/dispenses',
    {
      schema: { tags: ['dispenses'], summary: 'The patient’s dispenses at this pharmacy, newest first', params: BsnParams, response: { 200: z.object({ dispenses: z.array(Dispense) }), ...pick(400, 404) } },
    },
    async (request) => {
      if ((await store.getPatient(request.params.bsn)) === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return { dispenses: await store.dispenses(request.params.bsn) };
    },
  );
  app.post(
    '/patients/:bsn/contra-indications',
    {
      schema: { tags: ['dispenses'], summary: 'Record a contra-indication or intolerance (CiO)', params: BsnParams, body: NewCio, response: { 201: Cio, ...pick(400, 404) } },
    },
    async (request, reply) => {
      if ((await store.getPatient(request.params.bsn)) === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return reply.status(201).send(await store.addCio(request.params.bsn, request.body));
    },
  );
  app.get(
    '/patients/:bsn/contra-indications',
    {
      schema: { tags: ['dispenses'], summary: 'The patient’s contra-indications and intolerances (CiO), newest first', params: BsnParams, response: { 200: z.object({ contraIndications: z.array(Cio) }), ...pick(400, 404) } },
    },
    async (request) => {
      if ((await store.getPatient(request.params.bsn)) === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return { contraIndications: await store.cios(request.params.bsn) };
    },
  );
};

/** The leg the switch point calls; each call goes into this system's own access log (every GBZ keeps one). */
export const sourceRoutes: RoutePlugin<{ store: PharmacyStore; log: SourceLog }> = async (app, { store, log }) => {
  app.post(
    '/lsp/medication-queries',
    {
      config: { interaction: 'QURX_IN990011NL', category: 'MEDVERSTREKKING' },
      schema: {
        tags: ['switch point'],
        summary: `${describeInteraction('QURX_IN990011NL')}, as the switch point asks it`,
        description:
          'Answers with every dispense of the patient at this pharmacy in the period (QURX_IN990013NL), or with latestPerProduct only the most recent dispense of each product, plus the patient’s contra-indications and intolerances (CiO). An unknown patient answers an empty list.',
        body: SourceMedicationQuery,
        response: { 200: SourceMedicationAnswer, ...pick(400) },
      },
    },
    async (request) => {
      const q = request.body;
      const patient = await store.getPatient(q.bsn);
      const dispenses = patient === undefined ? [] : await store.dispenses(q.bsn, { from: q.from, to: q.to, latestPerProduct: q.latestPerProduct });
      const contraIndications = patient === undefined ? undefined : await store.cios(q.bsn);
      await log.write({
        interaction: 'QURX_IN990011NL',
        aorta: request.aorta,
        bsn: q.bsn,
        requesterUra: q.requester.ura,
        acting: q.requester.professional,
        result: `${dispenses.length} dispenses`,
      });
      return { interaction: 'QURX_IN990013NL' as const, dispenses, ...(contraIndications !== undefined ? { contraIndications } : {}) };
    },
  );
};
