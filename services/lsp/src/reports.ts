import {
  ObservationReportSubmission,
  Problem,
  type ProblemError,
  ReportAcknowledgement,
  ReportRouting,
  describeInteraction,
  problem,
  type Decision,
  type ObservationReportDelivery,
  type SourceStatus,
} from '@schakel/contracts';
import { CallError, pick, type App, type ServiceClient } from '@schakel/service-kit';
import type { AddressBook } from './address-book.js';
import type { ReferenceIndex } from './reference-index.js';
import type { AccessLog, AccessEvent } from './access-log.js';
import { checkSignedRequest, type AssertionCheck } from './assertions.js';
import { caller } from './auth.js';
import { authorise, type ProtocolRow } from './authorisation/protocol.js';

export interface ReportDeps {
  book: AddressBook;
  index: ReferenceIndex;
  accessLog: AccessLog;
  client: ServiceClient;
  /** How long the switch point waits for the GP's acknowledgement (the delivery leg's time-out). */
  timeoutMs: number;
  assertions: AssertionCheck;
  protocol: ProtocolRow[];
}

const INTERACTION = 'REPC_IN990003NL';
/** The patient's own GP is the practice that registered the professional summary for this BSN. */
const GP_CATEGORY = 'WAARNEEMGEGEVENS';
/** The category of the report itself (a contact report), for the protocol rows on who may send one. */
const REPORT_CATEGORY = 'CONTACTVERSLAG';

/**
 * Routing of observation reports (REPC_IN990003NL) to the patient's own GP. The report passes through
 * memory only: the switch point checks the sender (mutual TLS, signed assertion, address book), finds the
 * GP in the reference index, forwards synchronously and hands the GP's acknowledgement back. Exactly one
 * access-log entry per attempt holds the delivery metadata (message id, sender, target GP, outcome), never
 * the content. De-duplication is the receiver's job (by message id), so a sender may safely try again.
 */
export function reportRoutes(app: App, deps: ReportDeps): void {
  app.post(
    '/reports/observation',
    {
      config: { interaction: INTERACTION },
      schema: {
        tags: ['reports'],
        summary: `${describeInteraction(INTERACTION)}: route a report to the patient’s own GP`,
        description:
          'Finds the GP practice registered for (BSN, WAARNEEMGEGEVENS) in the reference index and delivers the report to it; answers its acknowledgement (MCCI_IN000002: AA, AE, AR). No registered GP: 404 UNKNOWN_PATIENT with decision NO_REGISTERED_GP. GP down or too slow: 502 / 504, and the sender tries again with the same message id. Needs mutual TLS and Authorization: Bearer <signed professional assertion> for REPC_IN990003NL.',
        body: ObservationReportSubmission,
        response: { 200: ReportRouting, 401: Problem, ...pick(400, 403, 404, 502, 504) },
      },
    },
    async (request) => {
      const r = request.body;
      const client = caller(request);
      const base: Omit<AccessEvent, 'outcome' | 'code' | 'explanation'> = {
        interaction: INTERACTION,
        initialRequestId: request.aorta.initialRequestId,
        requestId: request.aorta.requestId,
        bsn: r.bsn,
        clientSubject: client.subject,
        requesterApplicationId: r.sender.applicationId,
        requesterUra: client.ura,
        actingUzi: r.sender.professional.uziNumber,
        actingRole: r.sender.professional.roleCode,
        situation: r.situation,
        ...(r.sender.responsible !== undefined ? { responsibleUzi: r.sender.responsible.uziNumber } : {}),
      };
      const about = `Observation report ${r.messageId}`;
      const refuse = async (p: ProblemError): Promise<ProblemError> => {
        await deps.accessLog.write({
          ...base,
          outcome: 'refused',
          code: p.problem.decision?.code ?? p.code,
          explanation: `${about}: ${p.problem.detail ?? p.problem.title} [${p.problem.decision?.rule ?? 'TRUST'}]`,
        });
        return p;
      };

      await checkSignedRequest(deps.assertions, request, { applicationId: r.sender.applicationId, interaction: INTERACTION, bsn: r.bsn, professional: r.sender.professional, responsible: r.sender.responsible }, refuse);
      const sender = await deps.book.get(r.sender.applicationId);
      if (sender === undefined) {
        const decision: Decision = { code: 'UNKNOWN_SYSTEM', rule: 'LSP-AUTH-1: only systems in the address book may send', explanation: `System ${r.sender.applicationId} is not in the address book.` };
        throw await refuse(problem('UNKNOWN_SYSTEM', decision.explanation, { decision }));
      }
      // Who may send a report is a protocol row too (category CONTACTVERSLAG): care roles at the
      // organisation types that give acute or covering care; insurance and company doctors never.
      const auth = authorise(deps.protocol, { roleCode: r.sender.professional.roleCode, organisationType: sender.organisationType, category: REPORT_CATEGORY, situation: r.situation });
      if (!auth.permitted) {
        const { permitted: _p, ...decision } = auth;
        throw await refuse(problem('NOT_AUTHORISED', decision.explanation, { decision }));
      }

      // Several entries happen when a patient moved and the old practice did not deregister: the newest wins.
      const entries = await deps.index.entries(r.bsn, GP_CATEGORY);
      const gp = entries.filter((e) => e.base_url !== null).sort((a, b) => b.registered_at.localeCompare(a.registered_at))[0];
      if (gp === undefined || gp.base_url === null) {
        const decision: Decision = {
          code: 'NO_REGISTERED_GP',
          rule: 'LSP-REPORT-1: a report goes to the GP practice registered for WAARNEEMGEGEVENS in the reference index',
          explanation: 'No GP practice has registered this patient in the reference index (no consent given at their GP), so the switch point cannot route the report. Send it to the GP another way.',
        };
        throw await refuse(problem('UNKNOWN_PATIENT', decision.explanation, { decision }));
      }
      const target = { applicationId: gp.application_id, ura: gp.ura, organisationName: gp.organisation_name };
      const delivery: ObservationReportDelivery = {
        messageId: r.messageId,
        bsn: r.bsn,
        sender: { applicationId: sender.applicationId, ura: sender.ura, organisationName: sender.organisationName, organisationType: sender.organisationType },
        author: r.sender.professional,
        ...(r.sender.responsible !== undefined ? { responsible: r.sender.responsible } : {}),
        situation: r.situation,
        encounter: r.encounter,
        writtenAt: r.writtenAt,
      };
      const logDelivery = (outcome: AccessEvent['outcome'], status: SourceStatus, code: string, what: string) =>
        deps.accessLog.write({
          ...base,
          outcome,
          code,
          explanation: `${about} from ${sender.organisationName} to ${gp.organisation_name}: ${what} [LSP-REPORT-1]`,
          sources: [{ applicationId: gp.application_id, status, code }],
        });

      let ack: ReportAcknowledgement;
      try {
        const answer = await deps.client.call(gp.base_url, {
          method: 'POST',
          path: '/lsp/observation-reports',
          body: delivery,
          schema: ReportAcknowledgement,
          aorta: request.aorta,
          timeoutMs: deps.timeoutMs,
        });
        ack = answer.body;
      } catch (err) {
        const p = err instanceof CallError ? err.detail.problem : undefined;
        if (err instanceof CallError && p !== undefined && p.status < 500) {
          // The GP refused the report as such (4xx): that is a rejection (AR), never worth another try.
          ack = { interaction: 'MCCI_IN000002', messageId: r.messageId, acknowledgement: 'AR', duplicate: false, code: p.code, reason: p.detail ?? p.title };
        } else {
          const kind = err instanceof CallError ? err.kind : 'bad-response';
          const status: SourceStatus = kind === 'timeout' ? 'timeout' : kind === 'unreachable' ? 'unreachable' : 'error';
          const code = kind === 'timeout' ? 'UPSTREAM_TIMEOUT' : kind === 'unreachable' ? 'UPSTREAM_UNREACHABLE' : 'UPSTREAM_ERROR';
          request.log.warn({ target: gp.application_id, messageId: r.messageId, code, err: err instanceof Error ? err.message : err }, 'observation report not delivered');
          await logDelivery('failed', status, code, `not delivered (${status}); the sender tries again`);
          throw problem(code, `${gp.organisation_name} did not acknowledge ${about}: ${err instanceof Error ? err.message : String(err)}. Try again with the same message id.`);
        }
      }
      if (ack.messageId !== r.messageId) {
        await logDelivery('failed', 'error', 'UPSTREAM_ERROR', `acknowledged another message id (${ack.messageId})`);
        throw problem('UPSTREAM_ERROR', `${gp.organisation_name} acknowledged message ${ack.messageId} instead of ${r.messageId}`);
      }
      switch (ack.acknowledgement) {
        case 'AA':
          await logDelivery('permitted', 'ok', 'AA', ack.duplicate ? 'accepted (AA, duplicate: received before)' : 'accepted (AA)');
          break;
        case 'AR':
          await logDelivery('refused', 'refused', `AR:${ack.code ?? 'REJECTED'}`, `rejected (AR ${ack.code ?? ''})`);
          break;
        case 'AE':
          await logDelivery('failed', 'error', `AE:${ack.code ?? 'ERROR'}`, `error at the GP (AE ${ack.code ?? ''}); the sender tries again`);
          break;
      }
      request.log.info({ interaction: INTERACTION, messageId: r.messageId, target: gp.application_id, acknowledgement: ack.acknowledgement, duplicate: ack.duplicate }, 'observation report routed');
      return { ...ack, deliveredTo: target };
    },
  );
}
