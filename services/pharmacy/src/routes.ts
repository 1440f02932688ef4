import { z } from 'zod';
import {
  Bsn,
  Cio,
  Dispense,
  DispenseInput,
  NewCio,
  PatientDemographics,
  SourceMedicationAnswer,
  SourceMedicationQuery,
  describeInteraction,
  notFound,
  type AortaId,
} from '@schakel/contracts';
import { decodeSourceMedicationQuery, encodeMedicationAnswer } from '@schakel/hl7v3';
import { medicationQueryOf, medicationSearchset } from '@schakel/fhir';
import {
  builtAnswerSerializer,
  fhirLeg,
  pick,
  soapLeg,
  type RoutePlugin,
  type SoapLegHandler,
  type SourceLog,
} from '@schakel/service-kit';
import { PharmacyPatient, type PharmacyStore } from './store.js';

const BsnParams = z.object({ bsn: Bsn });

/** Front office: patients and their dispenses and contra-indications, as the pharmacy records them. */
export const frontOfficeRoutes: RoutePlugin<{ store: PharmacyStore }> = async (app, { store }) => {
  app.put(
    '/patients/:bsn',
    {
      schema: {
        tags: ['patients'],
        summary: 'Enter or update a patient',
        params: BsnParams,
        body: PatientDemographics,
        response: { 200: PharmacyPatient, 201: PharmacyPatient, ...pick(400) },
      },
    },
    async (request, reply) => {
      const { patient, created } = await store.upsertPatient(request.params.bsn, request.body);
      return reply.status(created ? 201 : 200).send(patient);
    },
  );
  app.get(
    '/patients/:bsn',
    {
      schema: {
        tags: ['patients'],
        summary: 'One patient with their consent choice',
        params: BsnParams,
        response: { 200: PharmacyPatient, ...pick(400, 404) },
      },
    },
    async (request) => {
      const patient = await store.getPatient(request.params.bsn);
      if (patient === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return patient;
    },
  );
  app.post(
    '/patients/:bsn/dispenses',
    {
      schema: {
        tags: ['dispenses'],
        summary: 'Record a dispense',
        params: BsnParams,
        body: DispenseInput,
        response: { 201: Dispense, ...pick(400, 404) },
      },
    },
    async (request, reply) => {
      if ((await store.getPatient(request.params.bsn)) === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return reply.status(201).send(await store.addDispense(request.params.bsn, request.body));
    },
  );
  app.get(
    '/patients/:bsn/dispenses',
    {
      schema: {
        tags: ['dispenses'],
        summary: 'The patient’s dispenses at this pharmacy, newest first',
        params: BsnParams,
        response: { 200: z.object({ dispenses: z.array(Dispense) }), ...pick(400, 404) },
      },
    },
    async (request) => {
      if ((await store.getPatient(request.params.bsn)) === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return { dispenses: await store.dispenses(request.params.bsn) };
    },
  );
  app.post(
    '/patients/:bsn/contra-indications',
    {
      schema: {
        tags: ['dispenses'],
        summary: 'Record a contra-indication or intolerance (CiO)',
        params: BsnParams,
        body: NewCio,
        response: { 201: Cio, ...pick(400, 404) },
      },
    },
    async (request, reply) => {
      if ((await store.getPatient(request.params.bsn)) === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return reply.status(201).send(await store.addCio(request.params.bsn, request.body));
    },
  );
  app.get(
    '/patients/:bsn/contra-indications',
    {
      schema: {
        tags: ['dispenses'],
        summary: 'The patient’s contra-indications and intolerances (CiO), newest first',
        params: BsnParams,
        response: { 200: z.object({ contraIndications: z.array(Cio) }), ...pick(400, 404) },
      },
    },
    async (request) => {
      if ((await store.getPatient(request.params.bsn)) === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return { contraIndications: await store.cios(request.params.bsn) };
    },
  );
};

/**
 * The medication query as the switch point asks it (QURX_IN990011NL), on either wire: every dispense of the
 * patient in the period (or the latest per product), the patient's contra-indications and intolerances, and
 * one entry in this system's own log of what it answered the switch point (every GBZ keeps one).
 */
export function createMedicationAnswers(store: PharmacyStore, log: SourceLog) {
  return async (q: SourceMedicationQuery, aorta: AortaId): Promise<SourceMedicationAnswer> => {
    const found = await store.medication(q.bsn, { from: q.from, to: q.to, latestPerProduct: q.latestPerProduct });
    const dispenses = found?.dispenses ?? [];
    const contraIndications = found?.contraIndications;
    await log.write({
      interaction: 'QURX_IN990011NL',
      aorta,
      bsn: q.bsn,
      requesterUra: q.requester.ura,
      acting: q.requester.professional,
      result: `${dispenses.length} dispenses`,
    });
    return {
      interaction: 'QURX_IN990013NL' as const,
      dispenses,
      ...(contraIndications !== undefined ? { contraIndications } : {}),
    };
  };
}
export type MedicationAnswers = ReturnType<typeof createMedicationAnswers>;

/** The JSON leg the switch point calls. */
export const sourceRoutes: RoutePlugin<{ answers: MedicationAnswers }> = async (app, { answers }) => {
  app.post(
    '/lsp/medication-queries',
    {
      config: { interaction: 'QURX_IN990011NL', category: 'MEDVERSTREKKING' },
      // Built from this pharmacy's own store; the switch point validates what it receives anyway.
      serializerCompiler: builtAnswerSerializer,
      schema: {
        tags: ['switch point'],
        summary: `${describeInteraction('QURX_IN990011NL')}, as the switch point asks it`,
        description:
          'Answers with every dispense of the patient at this pharmacy in the period (QURX_IN990013NL), or with latestPerProduct only the most recent dispense of each product, plus the patient’s contra-indications and intolerances (CiO). An unknown patient answers an empty list.',
        body: SourceMedicationQuery,
        response: { 200: SourceMedicationAnswer, ...pick(400) },
      },
    },
    async (request) => answers(request.body, request.aorta),
  );
};

/** The same leg on the AORTA wire (HL7v3 in SOAP), for when the address book says this pharmacy speaks hl7v3. */
export const hl7v3SourceRoutes: RoutePlugin<{ answers: MedicationAnswers; me: { applicationId: string } }> = async (
  app,
  { answers, me },
) => {
  const answer: SoapLegHandler = async (body, { aorta }) => {
    const m = decodeSourceMedicationQuery(body);
    const interaction =
      m.interaction === 'QURX_IN990111NL' ? ('QURX_IN990113NL' as const) : ('QURX_IN990013NL' as const);
    const xml = encodeMedicationAnswer(await answers(m.query, aorta), {
      interaction,
      transmission: { sender: { applicationId: me.applicationId }, receiver: m.transmission.sender },
      inResponseTo: m.transmission.id,
      bsn: m.query.bsn,
    });
    return { answer: interaction, xml };
  };
  await soapLeg(app, me, { QURX_IN990011NL: answer, QURX_IN990111NL: answer });
};

/**
 * The same leg as a FHIR search (GET /lsp/fhir/MedicationDispense?patient.identifier=<bsn system>|<bsn>), for
 * when the address book says this pharmacy speaks fhir: a searchset of MedicationDispense with their
 * Medication included, and the intolerances (AllergyIntolerance) and contra-indications (Flag) when asked
 * with _revinclude, built by packages/fhir from the same answer.
 */
export const fhirSourceRoutes: RoutePlugin<{ answers: MedicationAnswers }> = async (app, { answers }) => {
  await fhirLeg(app, [
    {
      path: 'MedicationDispense',
      interaction: 'QURX_IN990011NL',
      category: 'MEDVERSTREKKING',
      answer: async ({ params, requester, base, aorta }) => {
        const { query, includes } = medicationQueryOf(params, requester);
        const answer = await answers(query, aorta);
        const bundle = medicationSearchset(base, {
          dispenses: answer.dispenses,
          ...(includes.intolerances ? { contraIndications: answer.contraIndications } : {}),
        });
        // Without _include=MedicationDispense:medication the Medications stay out (the references then
        // point outside the Bundle, as a plain search answers).
        return includes.medication
          ? bundle
          : { ...bundle, entry: bundle.entry?.filter((e) => e.resource?.resourceType !== 'Medication') };
      },
    },
  ]);
};
