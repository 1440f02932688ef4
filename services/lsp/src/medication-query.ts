import { randomUUID } from 'node:crypto';
import {
  MedicationBatch,
  MedicationQuery,
  SourceMedicationAnswer,
  describeInteraction,
  formatAortaId,
  problem,
  type BatchSourceEntry,
  type Decision,
  type ProblemError,
  type SourceStatus,
} from '@schakel/contracts';
import { CallError, pick, type App, type ServiceClient } from '@schakel/service-kit';
import type { AddressBook } from './address-book.js';
import type { ReferenceIndex } from './reference-index.js';
import type { ConsentStore } from './consent.js';
import { consentDecision } from './consent.js';
import type { AccessLog, AccessEvent } from './access-log.js';
import { authorise, type ProtocolRow } from './protocol.js';
import { checkAssertion, type AssertionCheck } from './assertions.js';
import { caller } from './auth.js';

export interface MedicationQueryDeps {
  book: AddressBook;
  index: ReferenceIndex;
  consents: ConsentStore;
  accessLog: AccessLog;
  client: ServiceClient;
  protocol: ProtocolRow[];
  sourceTimeoutMs: number;
  assertions: AssertionCheck;
}

const CATEGORY = 'MEDVERSTREKKING' as const;

/**
 * QURX_IN990011NL: authorise, find the registered sources, drop those without consent, ask the rest in
 * parallel with a per-source time-out, and answer one batch with a status per source. Nothing a source
 * answers is stored here: the dispenses pass through memory to the requester only.
 */
export function medicationQueryRoutes(app: App, deps: MedicationQueryDeps): void {
  app.post(
    '/queries/medication',
    {
      schema: {
        tags: ['queries'],
        summary: `${describeInteraction('QURX_IN990011NL')} -> batch of QURX_IN990013NL`,
        description:
          'Asks every pharmacy registered for the patient that the patient consented to, in parallel. Each source gets a status: ok, no-data, refused (not asked, with the reason), timeout, unreachable or error.',
        body: MedicationQuery,
        response: { 200: MedicationBatch, ...pick(400, 403, 404) },
      },
    },
    async (request) => {
      const q = request.body;
      const client = caller(request);
      const base: Omit<AccessEvent, 'outcome' | 'code' | 'explanation'> = {
        clientSubject: client.subject,
        interaction: 'QURX_IN990011NL',
        initialRequestId: request.aorta.initialRequestId,
        requestId: request.aorta.requestId,
        bsn: q.bsn,
        category: CATEGORY,
        requesterApplicationId: q.requester.applicationId,
        actingUzi: q.requester.professional.uziNumber,
        actingRole: q.requester.professional.roleCode,
        ...(q.requester.responsible !== undefined ? { responsibleUzi: q.requester.responsible.uziNumber } : {}),
      };
      const refuse = async (code: 'UNKNOWN_SYSTEM' | 'NOT_AUTHORISED' | 'UNKNOWN_PATIENT' | 'CLIENT_NOT_ALLOWED', decision: Decision, extra: Partial<AccessEvent> = {}) => {
        await deps.accessLog.write({ ...base, ...extra, outcome: 'refused', code: decision.code, explanation: `${decision.explanation} [${decision.rule}]` });
        return problem(code, decision.explanation, { decision });
      };

      // Trust first: the connection's system must be the requester, and a professional must have signed.
      if (client.applicationId !== q.requester.applicationId) {
        throw await refuse('CLIENT_NOT_ALLOWED', {
          code: 'CLIENT_NOT_ALLOWED',
          rule: 'TRUST-1: a system queries in its own name only',
          explanation: `The client certificate belongs to system ${client.applicationId}, but the query names system ${q.requester.applicationId}.`,
        });
      }
      try {
        await checkAssertion(deps.assertions, request, client, {
          interaction: 'QURX_IN990011NL',
          bsn: q.bsn,
          professional: q.requester.professional,
          responsible: q.requester.responsible,
        });
      } catch (err) {
        const p = err as ProblemError;
        await deps.accessLog.write({ ...base, requesterUra: client.ura, outcome: 'refused', code: p.code, explanation: `${p.problem.detail ?? p.problem.title} [${p.problem.decision?.rule ?? 'TRUST'}]` });
        throw err;
      }

      const requester = await deps.book.get(q.requester.applicationId);
      if (requester === undefined) {
        throw await refuse('UNKNOWN_SYSTEM', {
          code: 'UNKNOWN_SYSTEM',
          rule: 'LSP-AUTH-1: only systems in the address book may query',
          explanation: `System ${q.requester.applicationId} is not in the address book.`,
        });
      }
      const who = { requesterUra: requester.ura };
      if (!q.treatmentRelation) {
        throw await refuse(
          'NOT_AUTHORISED',
          { code: 'NO_TREATMENT_RELATION', rule: 'LSP-AUTH-2: the requester must assert a treatment relation', explanation: 'The requester did not assert a treatment relation with the patient.' },
          who,
        );
      }
      const auth = authorise(deps.protocol, { role: q.requester.professional.roleCode, organisationType: requester.organisationType, category: CATEGORY });
      if (!auth.permitted) throw await refuse('NOT_AUTHORISED', auth, who);

      const entries = await deps.index.entries(q.bsn, CATEGORY);
      const consents = await deps.consents.current(q.bsn);
      // A holder the patient objected to has deregistered, but the batch still says it was not asked and
      // why, so the requester (and a demo audience) sees the objection rather than silence.
      const indexed = new Set(entries.map((e) => e.ura));
      const objected: typeof entries = [];
      for (const record of consents.values()) {
        if (record.state !== 'objection' || indexed.has(record.holderUra)) continue;
        for (const system of await deps.book.byUra(record.holderUra)) {
          if (!system.provides.includes(CATEGORY)) continue;
          objected.push({
            bsn: q.bsn,
            category: CATEGORY,
            application_id: system.applicationId,
            registered_at: '',
            ura: system.ura,
            organisation_name: system.organisationName,
            organisation_type: system.organisationType,
            base_url: system.baseUrl,
          });
        }
      }
      if (entries.length === 0 && objected.length === 0) {
        throw await refuse(
          'UNKNOWN_PATIENT',
          { code: 'NOT_IN_INDEX', rule: 'LSP-INDEX-1: only registered sources are asked', explanation: `No system has registered ${CATEGORY} data for this BSN.` },
          who,
        );
      }
      const sources = await Promise.all(
        [...entries, ...objected].map(async (entry): Promise<BatchSourceEntry> => {
          const head = {
            applicationId: entry.application_id,
            ura: entry.ura,
            organisationName: entry.organisation_name,
            organisationType: entry.organisation_type as BatchSourceEntry['organisationType'],
          };
          const decision = consentDecision(consents.get(entry.ura), entry.organisation_name);
          const { permitted, ...why } = decision;
          if (!permitted) return { ...head, status: 'refused', decision: why, contacted: false };
          const started = performance.now();
          if (entry.base_url === null) {
            return { ...head, status: 'unreachable', decision: why, contacted: false, error: { code: 'NO_BASE_URL', detail: 'The address book has no base URL for this system' } };
          }
          try {
            const answer = await deps.client.call(entry.base_url, {
              method: 'POST',
              path: '/lsp/medication-queries',
              body: {
                bsn: q.bsn,
                requester: { ura: requester.ura, organisationName: requester.organisationName, professional: q.requester.professional },
                ...(q.from !== undefined ? { from: q.from } : {}),
                ...(q.to !== undefined ? { to: q.to } : {}),
              },
              schema: SourceMedicationAnswer,
              aorta: request.aorta,
              timeoutMs: deps.sourceTimeoutMs,
            });
            const dispenses = answer.body.dispenses;
            return {
              ...head,
              status: dispenses.length > 0 ? 'ok' : 'no-data',
              decision: why,
              contacted: true,
              durationMs: Math.round(answer.durationMs),
              ...(dispenses.length > 0 ? { dispenses } : {}),
            };
          } catch (err) {
            const durationMs = Math.round(performance.now() - started);
            const status: SourceStatus = err instanceof CallError ? (err.kind === 'timeout' ? 'timeout' : err.kind === 'unreachable' ? 'unreachable' : 'error') : 'error';
            const code = err instanceof CallError ? (err.detail.problem?.code ?? err.kind.toUpperCase().replace('-', '_')) : 'INTERNAL_ERROR';
            request.log.warn({ source: entry.application_id, status, code, err: err instanceof CallError ? err.message : err }, 'source did not answer');
            return { ...head, status, decision: why, contacted: true, durationMs, error: { code, detail: err instanceof Error ? err.message : String(err) } };
          }
        }),
      );

      const asked = sources.filter((s) => s.contacted);
      const complete = asked.every((s) => s.status === 'ok' || s.status === 'no-data');
      const answered = sources.filter((s) => s.status === 'ok' || s.status === 'no-data').length;
      const outcome = asked.length === 0 ? 'refused' : complete ? 'permitted' : answered > 0 ? 'partial' : 'failed';
      await deps.accessLog.write({
        ...base,
        ...who,
        outcome,
        code: auth.code,
        explanation: `${auth.explanation} [${auth.rule}] ${sources.map((s) => `${s.organisationName}: ${s.status} (${s.decision.code})`).join('; ')}`,
        sources: sources.map((s) => ({ applicationId: s.applicationId, status: s.status, code: s.error?.code ?? s.decision.code })),
      });
      return {
        interaction: 'QURX_IN990013NL' as const,
        batch: 'MCCI_IN200101' as const,
        batchId: randomUUID(),
        aortaId: formatAortaId(request.aorta),
        bsn: q.bsn,
        category: CATEGORY,
        complete,
        sources,
      };
    },
  );
}
