import { z } from 'zod';
import {
  Allergy,
  Bsn,
  ContraIndication,
  CoveringNote,
  Episode,
  EpisodeChange,
  JournalEntry,
  Measurement,
  NewAllergy,
  NewContraIndication,
  NewCoveringNote,
  NewEpisode,
  NewJournalEntry,
  NewMeasurement,
  NewPrescription,
  NewTreatmentLimit,
  Prescription,
  TreatmentLimit,
  conflict,
  notFound,
  problem,
} from '@schakel/contracts';
import { pick, type RoutePlugin } from '@schakel/service-kit';
import type { PatientStore } from './patients.js';
import { RECORD_KINDS, type NewItem, type RecordKind, type RecordStore } from './record-store.js';

const BsnParams = z.object({ bsn: Bsn });
const ItemParams = z.object({ bsn: Bsn, id: z.string().min(1).max(100) });

/** Per kind of item: its path under /patients/{bsn}, what the front office sends, and what it gets back. */
const ITEM_ROUTES = [
  { kind: 'episode', path: 'episodes', what: 'an episode (ICPC-1NL)', New: NewEpisode, Item: Episode },
  { kind: 'journal', path: 'journal', what: 'a journal entry in SOEP form', New: NewJournalEntry, Item: JournalEntry },
  {
    kind: 'measurement',
    path: 'measurements',
    what: 'a measurement or result',
    New: NewMeasurement,
    Item: Measurement,
  },
  { kind: 'prescription', path: 'prescriptions', what: 'a prescription', New: NewPrescription, Item: Prescription },
  { kind: 'allergy', path: 'allergies', what: 'an allergy or intolerance', New: NewAllergy, Item: Allergy },
  {
    kind: 'contra-indication',
    path: 'contra-indications',
    what: 'a contra-indication',
    New: NewContraIndication,
    Item: ContraIndication,
  },
  {
    kind: 'covering-note',
    path: 'covering-notes',
    what: 'a note for the covering GP',
    New: NewCoveringNote,
    Item: CoveringNote,
  },
  {
    kind: 'treatment-limit',
    path: 'treatment-limits',
    what: 'a treatment limit (behandelgrens)',
    New: NewTreatmentLimit,
    Item: TreatmentLimit,
  },
] as const satisfies readonly {
  kind: RecordKind;
  path: string;
  what: string;
  New: z.ZodType<NewItem>;
  Item: z.ZodType;
}[];

export const GpRecord = z
  .object({
    bsn: Bsn,
    episodes: z.array(Episode),
    journal: z.array(JournalEntry),
    measurements: z.array(Measurement),
    prescriptions: z.array(Prescription),
    allergies: z.array(Allergy),
    contraIndications: z.array(ContraIndication),
    coveringNotes: z.array(CoveringNote),
    treatmentLimits: z.array(TreatmentLimit),
  })
  .meta({ id: 'GpRecord', description: 'The whole record as the practice sees it, shielded items included' });

const Shielding = z.object({ shielded: z.boolean() }).strict().meta({ id: 'Shielding' });
const ItemRef = z
  .object({ id: z.string(), kind: z.enum(RECORD_KINDS), shielded: z.boolean() })
  .meta({ id: 'RecordItemRef' });

/** Front office: the GP record, item by item, and the patient's requests to shield items. */
export const recordRoutes: RoutePlugin<{ patients: PatientStore; record: RecordStore }> = async (
  app,
  { patients, record: store },
) => {
  const knownPatient = async (bsn: string) => {
    if ((await patients.get(bsn)) === undefined) throw notFound(`Patient ${bsn}`);
  };
  const checkEpisodeLink = async (bsn: string, input: NewItem) => {
    if (input.episodeId === undefined) return;
    const episode = await store.entry(bsn, input.episodeId);
    if (episode === undefined || episode.kind !== 'episode') {
      throw problem('VALIDATION_ERROR', `Episode ${input.episodeId} is not an episode of patient ${bsn}`, {
        field: 'body.episodeId',
        expected: 'the id of one of the patient’s episodes',
      });
    }
  };

  for (const spec of ITEM_ROUTES) {
    const New: z.ZodType<NewItem> = spec.New;
    app.post(
      `/patients/:bsn/${spec.path}`,
      {
        schema: {
          tags: ['record'],
          summary: `Record ${spec.what}`,
          params: BsnParams,
          body: New,
          response: { 201: spec.Item, ...pick(400, 404) },
        },
      },
      async (request, reply) => {
        await knownPatient(request.params.bsn);
        await checkEpisodeLink(request.params.bsn, request.body);
        return reply.status(201).send(await store.add(request.params.bsn, spec.kind, request.body));
      },
    );
    app.get(
      `/patients/:bsn/${spec.path}`,
      {
        schema: {
          tags: ['record'],
          summary: `The patient’s ${spec.path.replace('-', ' ')}, newest first, shielded ones included`,
          params: BsnParams,
          response: { 200: z.object({ items: z.array(spec.Item) }), ...pick(400, 404) },
        },
      },
      async (request) => {
        await knownPatient(request.params.bsn);
        return { items: await store.list(request.params.bsn, spec.kind) };
      },
    );
  }

  app.patch(
    '/patients/:bsn/episodes/:id',
    {
      schema: {
        tags: ['record'],
        summary: 'Close, reopen, rename or flag an episode',
        params: ItemParams,
        body: EpisodeChange,
        response: { 200: Episode, ...pick(400, 404) },
      },
    },
    async (request) => {
      const { bsn, id } = request.params;
      const episode = await store.entry(bsn, id);
      if (episode === undefined || episode.kind !== 'episode') throw notFound(`Episode ${id} of patient ${bsn}`);
      const current = episode.fields;
      const { endDate, ...rest } = request.body;
      const next: NewItem = { ...current, ...rest, shielded: episode.shielded };
      if (endDate === null) delete next['endDate'];
      else if (endDate !== undefined) {
        if (endDate < String(current['startDate']))
          throw conflict(`The end date ${endDate} is before the episode’s start date ${String(current['startDate'])}`);
        next['endDate'] = endDate;
      }
      await store.replace(bsn, id, 'episode', next);
      const updated = (await store.list(bsn, 'episode')).find((e) => e.id === id);
      if (updated === undefined) throw notFound(`Episode ${id}`);
      return updated;
    },
  );

  app.put(
    '/patients/:bsn/record-items/:id/shielding',
    {
      schema: {
        tags: ['record'],
        summary: 'Shield an item at the patient’s request (or lift it)',
        description:
          'A shielded item stays in the record but never leaves the GP system: not in the professional summary, not in a disclosure. Shielding an episode shields what is linked to it.',
        params: ItemParams,
        body: Shielding,
        response: { 200: ItemRef, ...pick(400, 404) },
      },
    },
    async (request) => {
      const { bsn, id } = request.params;
      const item = await store.entry(bsn, id);
      if (item === undefined) throw notFound(`Record item ${id} of patient ${bsn}`);
      await store.setShielded(bsn, id, request.body.shielded);
      request.log.info({ kind: item.kind, shielded: request.body.shielded }, 'shielding changed');
      return { id, kind: item.kind, shielded: request.body.shielded };
    },
  );

  app.get(
    '/patients/:bsn/record',
    {
      schema: {
        tags: ['record'],
        summary: 'The whole record, shielded items included (for the practice only)',
        params: BsnParams,
        response: { 200: GpRecord, ...pick(400, 404) },
      },
    },
    async (request) => {
      await knownPatient(request.params.bsn);
      return { bsn: request.params.bsn, ...(await store.record(request.params.bsn)) };
    },
  );
};
