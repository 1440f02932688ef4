import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { MedicationQuery, SummaryQuery } from '@schakel/contracts';
import {
  QueryBatch,
  SourceMedicationAnswer,
  SourceSummaryAnswer,
  describeInteraction,
  formatAortaId,
  problem,
  type AortaId,
  type BatchSourceEntry,
  type DataCategory,
  type Decision,
  type Interaction,
  type ProblemError,
  type SourceStatus,
} from '@schakel/contracts';
import { CallError, pick, type App, type ClientIdentity, type ServiceClient } from '@schakel/service-kit';
import type { AddressBook } from './address-book.js';
import type { ReferenceIndex } from './reference-index.js';
import type { ConsentStore } from './consent.js';
import type { AccessLog, AccessEvent } from './access-log.js';
import type { PolicyStore } from './policies.js';
import { authorise, type ProtocolRow } from './authorisation/protocol.js';
import { consentDecision, entriesInForce } from './authorisation/consent-rules.js';
import { checkSignedRequest, type AssertionCheck } from './assertions.js';

export interface QueryDeps {
  book: AddressBook;
  index: ReferenceIndex;
  consents: ConsentStore;
  accessLog: AccessLog;
  policies: PolicyStore;
  client: ServiceClient;
  protocol: ProtocolRow[];
  sourceTimeoutMs: number;
}

type QueryBody = z.output<typeof MedicationQuery> | z.output<typeof SummaryQuery>;

/** What differs between the fanned-out queries: names, category, the source leg and what it answers. */
export interface QueryKind {
  interaction: Interaction;
  answer: 'QURX_IN990013NL' | 'QUPC_IN990002NL';
  category: DataCategory;
  sourcePath: string;
  sourceBody: (q: QueryBody, requester: { ura: string; organisationName: string; organisationType: string }) => unknown;
  answerSchema: z.ZodType<unknown>;
  /**
   * The data of one source's answer, and whether it holds any; or the source's own refusal (consent never
   * obliges a holder to share: it may decline, with its rule and reason, which the batch shows).
   */
  extract: (answer: unknown) => { hasData: boolean; fields: Partial<BatchSourceEntry>; declined?: Decision };
}

export const MEDICATION: QueryKind = {
  interaction: 'QURX_IN990011NL',
  answer: 'QURX_IN990013NL',
  category: 'MEDVERSTREKKING',
  sourcePath: '/lsp/medication-queries',
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
  answerSchema: SourceMedicationAnswer,
  extract: (a) => {
    const { dispenses, contraIndications } = a as z.infer<typeof SourceMedicationAnswer>;
    const cio = contraIndications ?? [];
    return { hasData: dispenses.length > 0 || cio.length > 0, fields: { ...(dispenses.length > 0 ? { dispenses } : {}), ...(cio.length > 0 ? { contraIndications: cio } : {}) } };
  },
};

export const SUMMARY: QueryKind = {
  interaction: 'QUPC_IN990001NL',
  answer: 'QUPC_IN990002NL',
  category: 'WAARNEEMGEGEVENS',
  sourcePath: '/lsp/summary-queries',
  sourceBody: (q, requester) => ({ bsn: q.bsn, requester: { ...requester, professional: q.requester.professional } }),
  answerSchema: SourceSummaryAnswer,
  extract: (a) => {
    const { summary, declined } = a as z.infer<typeof SourceSummaryAnswer>;
    if (declined !== undefined) return { hasData: false, fields: {}, declined };
    return summary === null ? { hasData: false, fields: {} } : { hasData: true, fields: { summary } };
  },
};

export interface QueryContext {
  aorta: AortaId;
  client: ClientIdentity;
  log: FastifyRequest['log'];
}

/**
 * One fanned-out query after the trust checks: requester in the address book, treatment relation, the
 * authorisation protocol, the registered (and objected) holders, a consent decision per holder, the
 * permitted ones asked in parallel with a per-source time-out, and exactly one access-log entry whatever
 * happens. Nothing a source answers is stored here: its data passes through memory to the requester.
 */
export async function runQuery(deps: QueryDeps, kind: QueryKind, q: QueryBody, ctx: QueryContext): Promise<QueryBatch> {
  const base: Omit<AccessEvent, 'outcome' | 'code' | 'explanation'> = {
    interaction: kind.interaction,
    initialRequestId: ctx.aorta.initialRequestId,
    requestId: ctx.aorta.requestId,
    bsn: q.bsn,
    category: kind.category,
    clientSubject: ctx.client.subject,
    requesterApplicationId: q.requester.applicationId,
    requesterUra: ctx.client.ura,
    actingUzi: q.requester.professional.uziNumber,
    actingRole: q.requester.professional.roleCode,
    situation: q.situation,
    ...(q.requester.responsible !== undefined ? { responsibleUzi: q.requester.responsible.uziNumber } : {}),
  };
  const refuse = async (code: 'UNKNOWN_SYSTEM' | 'NOT_AUTHORISED' | 'UNKNOWN_PATIENT', decision: Decision): Promise<ProblemError> => {
    await deps.accessLog.write({ ...base, outcome: 'refused', code: decision.code, explanation: `${decision.explanation} [${decision.rule}]` });
    return problem(code, decision.explanation, { decision });
  };

  const requester = await deps.book.get(q.requester.applicationId);
  if (requester === undefined) {
    throw await refuse('UNKNOWN_SYSTEM', {
      code: 'UNKNOWN_SYSTEM',
      rule: 'LSP-AUTH-1: only systems in the address book may query',
      explanation: `System ${q.requester.applicationId} is not in the address book.`,
    });
  }
  if (!q.treatmentRelation) {
    throw await refuse('NOT_AUTHORISED', {
      code: 'NO_TREATMENT_RELATION',
      rule: 'LSP-AUTH-2: the requester must assert a treatment relation',
      explanation: 'The requester did not assert a treatment relation with the patient.',
    });
  }
  const auth = authorise(deps.protocol, { roleCode: q.requester.professional.roleCode, organisationType: requester.organisationType, category: kind.category, situation: q.situation });
  if (!auth.permitted) {
    const { permitted: _p, ...decision } = auth;
    throw await refuse('NOT_AUTHORISED', decision);
  }

  const entries = entriesInForce(await deps.index.entries(q.bsn, kind.category), await deps.policies.current());
  const choices = await deps.consents.choices(q.bsn);
  // A holder the patient objected to has deregistered, but the batch still says it was not asked and why.
  const indexed = new Set(entries.map((e) => e.ura));
  const objected: typeof entries = [];
  for (const c of choices) {
    if (c.state !== 'objection' || c.holderUra === null || indexed.has(c.holderUra)) continue;
    if (c.category !== '*' && c.category !== kind.category) continue;
    for (const s of await deps.book.byUra(c.holderUra)) {
      if (!s.provides.includes(kind.category) || objected.some((o) => o.application_id === s.applicationId)) continue;
      objected.push({ bsn: q.bsn, category: kind.category, application_id: s.applicationId, registered_at: '', reason: 'consent', ura: s.ura, organisation_name: s.organisationName, organisation_type: s.organisationType, base_url: s.baseUrl });
    }
  }
  if (entries.length === 0 && objected.length === 0) {
    throw await refuse('UNKNOWN_PATIENT', {
      code: 'NOT_IN_INDEX',
      rule: 'LSP-INDEX-1: only registered sources are asked',
      explanation: `No system has registered ${kind.category} data for this BSN.`,
    });
  }

  const policies = await deps.policies.current();
  let emergency = false;
  const sources = await Promise.all(
    [...entries, ...objected].map(async (entry): Promise<BatchSourceEntry> => {
      const head = { applicationId: entry.application_id, ura: entry.ura, organisationName: entry.organisation_name, organisationType: entry.organisation_type as BatchSourceEntry['organisationType'] };
      const { permitted, emergency: viaEmergency, ...why } = consentDecision(
        choices,
        {
          holder: { ura: entry.ura, organisationType: entry.organisation_type, name: entry.organisation_name },
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
      if (entry.base_url === null) {
        return { ...head, status: 'unreachable', decision: why, contacted: false, error: { code: 'NO_BASE_URL', detail: 'The address book has no base URL for this system' } };
      }
      const started = performance.now();
      try {
        const answer = await deps.client.call(entry.base_url, {
          method: 'POST',
          path: kind.sourcePath,
          body: kind.sourceBody(q, { ura: requester.ura, organisationName: requester.organisationName, organisationType: requester.organisationType }),
          schema: kind.answerSchema,
          aorta: ctx.aorta,
          timeoutMs: deps.sourceTimeoutMs,
        });
        const { hasData, fields, declined } = kind.extract(answer.body);
        if (declined !== undefined) return { ...head, status: 'refused', decision: declined, contacted: true, durationMs: Math.round(answer.durationMs) };
        return { ...head, status: hasData ? 'ok' : 'no-data', decision: why, contacted: true, durationMs: Math.round(answer.durationMs), ...fields };
      } catch (err) {
        const durationMs = Math.round(performance.now() - started);
        const status: SourceStatus = err instanceof CallError ? (err.kind === 'timeout' ? 'timeout' : err.kind === 'unreachable' ? 'unreachable' : 'error') : 'error';
        const code = err instanceof CallError ? (err.detail.problem?.code ?? err.kind.toUpperCase().replace('-', '_')) : 'INTERNAL_ERROR';
        ctx.log.warn({ source: entry.application_id, status, code, err: err instanceof CallError ? err.message : err }, 'source did not answer');
        return { ...head, status, decision: why, contacted: true, durationMs, error: { code, detail: err instanceof Error ? err.message : String(err) } };
      }
    }),
  );

  const asked = sources.filter((s) => s.contacted);
  // A source that was asked and declined to share has answered too.
  const hasAnswered = (s: BatchSourceEntry) => s.status === 'ok' || s.status === 'no-data' || (s.status === 'refused' && s.contacted);
  const complete = asked.every(hasAnswered);
  const answered = sources.filter(hasAnswered).length;
  const outcome = asked.length === 0 ? 'refused' : complete ? 'permitted' : answered > 0 ? 'partial' : 'failed';
  await deps.accessLog.write({
    ...base,
    emergency,
    outcome,
    code: asked.length === 0 ? 'NO_SOURCE_PERMITTED' : auth.code,
    explanation: `${auth.explanation} [${auth.rule}] ${sources.map((s) => `${s.organisationName}: ${s.status} (${s.decision.code}${s.decision.consentRecordId !== undefined ? `, consent record ${s.decision.consentRecordId}` : ''})`).join('; ')}`,
    sources: sources.map((s) => ({ applicationId: s.applicationId, status: s.status, code: s.error?.code ?? s.decision.code })),
  });
  return {
    interaction: kind.answer,
    batch: 'MCCI_IN200101',
    batchId: randomUUID(),
    aortaId: formatAortaId(ctx.aorta),
    bsn: q.bsn,
    category: kind.category,
    complete,
    sources,
  };
}

/** The route: trust checks (the connection's system is the requester, a professional signed), then runQuery. */
export function queryRoute(app: App, path: string, body: typeof MedicationQuery | typeof SummaryQuery, kind: QueryKind, deps: QueryDeps & { assertions: AssertionCheck }): void {
  app.post(
    path,
    {
      schema: {
        tags: ['queries'],
        summary: `${describeInteraction(kind.interaction)} -> batch of ${kind.answer}`,
        description: `Asks every system registered for ${kind.category} on the patient that the consent profile and policies allow, in parallel. Each source gets a status: ok, no-data, refused (not asked, with the deciding rule and consent record), timeout, unreachable or error. Needs mutual TLS and Authorization: Bearer <signed professional assertion>.`,
        body,
        response: { 200: QueryBatch, ...pick(400, 403, 404) },
      },
    },
    async (request) => {
      const q = request.body as QueryBody;
      const expected = { applicationId: q.requester.applicationId, interaction: kind.interaction, bsn: q.bsn, professional: q.requester.professional, responsible: q.requester.responsible };
      const client = await checkSignedRequest(deps.assertions, request, expected, (p, c) =>
        deps.accessLog.write({
          interaction: kind.interaction,
          initialRequestId: request.aorta.initialRequestId,
          requestId: request.aorta.requestId,
          bsn: q.bsn,
          category: kind.category,
          clientSubject: c.subject,
          requesterApplicationId: q.requester.applicationId,
          requesterUra: c.ura,
          actingUzi: q.requester.professional.uziNumber,
          actingRole: q.requester.professional.roleCode,
          outcome: 'refused',
          code: p.problem.decision?.code ?? p.code,
          explanation: `${p.problem.detail ?? p.problem.title} [${p.problem.decision?.rule ?? 'TRUST'}]`,
        }),
      );
      return runQuery(deps, kind, q, { aorta: request.aorta, client, log: request.log });
    },
  );
}
