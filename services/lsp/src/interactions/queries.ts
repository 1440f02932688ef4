import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  SourceMedicationAnswer,
  SourceSummaryAnswer,
  formatAortaId,
  problem,
  type BatchSourceEntry,
  type DataCategory,
  type Decision,
  type Interaction,
  type MedicationQuery,
  type QueryBatch,
  type SourceMedicationQuery,
  type SourceSummaryQuery,
  type SummaryQuery,
} from '@schakel/contracts';
import { consentDecision, entriesInForce } from '../authorisation/consent-rules.js';
import type { InteractionDefinition, Authorised, Acted } from '../pipeline/definition.js';
import { upstreamFailure } from '../pipeline/upstream.js';
import { askLeg, type Leg } from '../pipeline/legs.js';
import {
  decodeMedicationAnswer,
  decodeSummaryAnswer,
  encodeSourceMedicationQuery,
  encodeSourceSummaryQuery,
} from '@schakel/hl7v3';
import { medicationSearch, readMedicationSearchset, readSummaryBundle, summarySearch } from '@schakel/fhir';

export type QueryBody = z.output<typeof MedicationQuery> | z.output<typeof SummaryQuery>;

/** What differs between the fanned-out queries: names, category, the source leg and what it answers. */
interface QueryKind {
  interaction: Interaction;
  answer: 'QURX_IN990013NL' | 'QUPC_IN990002NL';
  category: DataCategory;
  /** The leg to a source, on either wire (pipeline/legs.ts). */
  leg: Leg<never, unknown>;
  sourceBody: (q: QueryBody, requester: { ura: string; organisationName: string; organisationType: string }) => unknown;
  /**
   * The data of one source's answer, and whether it holds any; or the source's own refusal (consent never
   * obliges a holder to share: it may decline, with its rule and reason, which the batch shows).
   */
  extract: (answer: unknown) => { hasData: boolean; fields: Partial<BatchSourceEntry>; declined?: Decision };
}

const MEDICATION_KIND: QueryKind = {
  interaction: 'QURX_IN990011NL',
  answer: 'QURX_IN990013NL',
  category: 'MEDVERSTREKKING',
  leg: {
    jsonPath: '/lsp/medication-queries',
    answerSchema: SourceMedicationAnswer,
    interaction: 'QURX_IN990011NL',
    encode: (request: SourceMedicationQuery, transmission) => encodeSourceMedicationQuery(request, { transmission }),
    decode: (body) => decodeMedicationAnswer(body).answer,
    fhir: { search: medicationSearch, read: readMedicationSearchset },
  },
  sourceBody: (q, requester) => {
    const m = q as z.output<typeof MedicationQuery>;
    return {
      bsn: m.bsn,
      requester: { ...requester, professional: m.requester.professional },
      ...(m.from !== undefined ? { from: m.from } : {}),
      ...(m.to !== undefined ? { to: m.to } : {}),
      ...(m.latestPerProduct !== undefined ? { latestPerProduct: m.latestPerProduct } : {}),
    };
  },
  extract: (a) => {
    const { dispenses, contraIndications } = a as z.infer<typeof SourceMedicationAnswer>;
    const cio = contraIndications ?? [];
    return {
      hasData: dispenses.length > 0 || cio.length > 0,
      fields: { ...(dispenses.length > 0 ? { dispenses } : {}), ...(cio.length > 0 ? { contraIndications: cio } : {}) },
    };
  },
};

const SUMMARY_KIND: QueryKind = {
  interaction: 'QUPC_IN990001NL',
  answer: 'QUPC_IN990002NL',
  category: 'WAARNEEMGEGEVENS',
  leg: {
    jsonPath: '/lsp/summary-queries',
    answerSchema: SourceSummaryAnswer,
    interaction: 'QUPC_IN990001NL',
    encode: (request: SourceSummaryQuery, transmission) => encodeSourceSummaryQuery(request, { transmission }),
    decode: (body) => decodeSummaryAnswer(body).answer,
    fhir: { search: summarySearch, read: readSummaryBundle },
  },
  sourceBody: (q, requester) => ({ bsn: q.bsn, requester: { ...requester, professional: q.requester.professional } }),
  extract: (a) => {
    const { summary, declined } = a as z.infer<typeof SourceSummaryAnswer>;
    if (declined !== undefined) return { hasData: false, fields: {}, declined };
    return summary === null ? { hasData: false, fields: {} } : { hasData: true, fields: { summary } };
  },
};

/**
 * The fanned-out step: the registered (and objected) holders, a consent decision per holder, the
 * permitted ones asked in parallel with a per-source time-out, one batch. Nothing a source answers is
 * stored here: its data passes through memory to the requester.
 */
async function fanOut(kind: QueryKind, ctx: Authorised<QueryBody>): Promise<Acted<QueryBatch>> {
  const { q, deps, signed } = ctx;
  const who = ctx.professional;
  if (who === undefined) throw new Error('a query always has a professional');
  const { requester, decision: auth } = who;

  // LSP-OWN-1: a system is never asked for its own data through the switch point (a covering pharmacist's
  // own pharmacy has its dispenses in its own record; asking itself would only loop back): decisions.md 26.
  const own = (e: { applicationId: string }) => e.applicationId === requester.applicationId;
  const registered = await deps.index.entries(q.bsn, kind.category);
  const entries = entriesInForce(
    registered.filter((e) => !own(e)),
    await deps.policies.current(),
  );
  const choices = await deps.consents.choices(q.bsn);
  // A holder the patient objected to has deregistered, but the batch still says it was not asked and why.
  const indexed = new Set(entries.map((e) => e.ura));
  const objected: typeof entries = [];
  for (const c of choices) {
    if (c.state !== 'objection' || c.holderUra === null || indexed.has(c.holderUra)) continue;
    if (c.category !== '*' && c.category !== kind.category) continue;
    for (const s of await deps.book.byUra(c.holderUra)) {
      if (!s.provides.includes(kind.category) || own(s) || objected.some((o) => o.applicationId === s.applicationId))
        continue;
      objected.push({
        bsn: q.bsn,
        category: kind.category,
        applicationId: s.applicationId,
        registeredAt: '',
        reason: 'consent',
        ura: s.ura,
        organisationName: s.organisationName,
        organisationType: s.organisationType,
        baseUrl: s.baseUrl,
        wire: s.wire,
      });
    }
  }
  if (entries.length === 0 && objected.length === 0) {
    const onlyOwn = registered.some(own);
    const decision = onlyOwn
      ? {
          code: 'NOT_IN_INDEX',
          rule: 'LSP-OWN-1: a system is never asked for its own data through the switch point',
          explanation: `No system other than the requesting one has registered ${kind.category} data for this BSN; the requester holds its own.`,
        }
      : {
          code: 'NOT_IN_INDEX',
          rule: 'LSP-INDEX-1: only registered sources are asked',
          explanation: `No system has registered ${kind.category} data for this BSN.`,
        };
    throw problem('UNKNOWN_PATIENT', decision.explanation, { decision });
  }

  const policies = await deps.policies.current();
  let emergency = false;
  const sources = await Promise.all(
    [...entries, ...objected].map(async (entry): Promise<BatchSourceEntry> => {
      const head = {
        applicationId: entry.applicationId,
        ura: entry.ura,
        organisationName: entry.organisationName,
        organisationType: entry.organisationType,
      };
      const {
        permitted,
        emergency: viaEmergency,
        ...why
      } = consentDecision(
        choices,
        {
          holder: { ura: entry.ura, organisationType: entry.organisationType, name: entry.organisationName },
          category: kind.category,
          consumerType: requester.organisationType,
          situation: q.situation,
          verbalConsent: q.verbalConsent,
          patientCannotConsent: q.patientCannotConsent,
        },
        policies,
      );
      if (!permitted) return { ...head, status: 'refused', decision: why, contacted: false };
      if (viaEmergency) emergency = true;
      if (entry.baseUrl === null) {
        return {
          ...head,
          status: 'unreachable',
          decision: why,
          contacted: false,
          error: { code: 'UPSTREAM_UNREACHABLE', detail: 'The address book has no base URL for this system' },
        };
      }
      const started = performance.now();
      try {
        const answer = await askLeg(
          deps.client,
          { applicationId: entry.applicationId, baseUrl: entry.baseUrl, wire: entry.wire },
          kind.leg,
          kind.sourceBody(q, {
            ura: requester.ura,
            organisationName: requester.organisationName,
            organisationType: requester.organisationType,
          }) as never,
          {
            aorta: signed.aorta,
            timeoutMs: deps.timeoutMs,
          },
        );
        const { hasData, fields, declined } = kind.extract(answer.body);
        if (declined !== undefined)
          return {
            ...head,
            status: 'refused',
            decision: declined,
            contacted: true,
            durationMs: Math.round(answer.durationMs),
          };
        return {
          ...head,
          status: hasData ? 'ok' : 'no-data',
          decision: why,
          contacted: true,
          durationMs: Math.round(answer.durationMs),
          ...fields,
        };
      } catch (err) {
        const failure = upstreamFailure(err);
        signed.log.warn(
          { source: entry.applicationId, status: failure.status, code: failure.code, err: failure.detail },
          'source did not answer',
        );
        return {
          ...head,
          status: failure.status,
          decision: why,
          contacted: true,
          durationMs: Math.round(performance.now() - started),
          error: { code: failure.code, detail: failure.detail },
        };
      }
    }),
  );

  const asked = sources.filter((s) => s.contacted);
  // A source that was asked and declined to share has answered too.
  const hasAnswered = (s: BatchSourceEntry) =>
    s.status === 'ok' || s.status === 'no-data' || (s.status === 'refused' && s.contacted);
  const complete = asked.every(hasAnswered);
  const answered = sources.filter(hasAnswered).length;
  return {
    answer: {
      interaction: kind.answer,
      batch: 'MCCI_IN200101',
      batchId: randomUUID(),
      aortaId: formatAortaId(signed.aorta),
      bsn: q.bsn,
      category: kind.category,
      complete,
      sources,
    },
    log: {
      emergency,
      outcome: asked.length === 0 ? 'refused' : complete ? 'permitted' : answered > 0 ? 'partial' : 'failed',
      code: asked.length === 0 ? 'NO_SOURCE_PERMITTED' : auth.code,
      explanation: `${auth.explanation} [${auth.rule}] ${sources.map((s) => `${s.organisationName}: ${s.status} (${s.decision.code}${s.decision.consentRecordId !== undefined ? `, consent record ${s.decision.consentRecordId}` : ''})`).join('; ')}`,
      sources: sources.map((s) => ({
        applicationId: s.applicationId,
        status: s.status,
        code: s.error?.code ?? s.decision.code,
      })),
    },
  };
}

function queryDefinition(kind: QueryKind): InteractionDefinition<QueryBody, QueryBatch> {
  return {
    interaction: kind.interaction,
    answer: kind.answer,
    categories: () => [kind.category],
    operatorMay: false,
    subject: (q) => ({
      bsn: q.bsn,
      applicationId: q.requester.applicationId,
      professional: q.requester.professional,
      responsible: q.requester.responsible,
      situation: q.situation,
      treatmentRelation: q.treatmentRelation,
      category: kind.category,
    }),
    act: (ctx) => fanOut(kind, ctx),
  };
}

/** QURX_IN990011NL -> a batch (MCCI_IN200101) of QURX_IN990013NL, one per pharmacy. */
export const MEDICATION = queryDefinition(MEDICATION_KIND);
/** QUPC_IN990001NL -> a batch of QUPC_IN990002NL, from the patient's GP practice(s). */
export const SUMMARY = queryDefinition(SUMMARY_KIND);
