import {
  ReportAcknowledgement,
  problem,
  type Decision,
  type ObservationReportDelivery,
  type ObservationReportSubmission,
  type ReportRouting,
  type SourceStatus,
} from '@schakel/contracts';
import { CallError } from '@schakel/service-kit';
import { Stop, type Acted, type Authorised, type InteractionDefinition } from '../pipeline/definition.js';
import { upstreamFailure } from '../pipeline/upstream.js';
import { askLeg, type Leg } from '../pipeline/legs.js';
import { decodeReportAcknowledgement, encodeObservationReportDelivery } from '@schakel/hl7v3';
import type { AccessEvent } from '../access-log.js';

/** The leg to the GP, on the wire the address book says it speaks. */
const DELIVERY: Leg<ObservationReportDelivery, ReportAcknowledgement> = {
  jsonPath: '/lsp/observation-reports',
  answerSchema: ReportAcknowledgement,
  interaction: 'REPC_IN990003NL',
  // The wrapper id is the report's message id, as on the sender's leg: an HL7v3 GP that acknowledges the
  // transmission (targetMessage) thereby acknowledges the report, and sees a redelivery as the same message.
  encode: (delivery, transmission) =>
    encodeObservationReportDelivery(delivery, { transmission: { ...transmission, id: delivery.messageId } }),
  decode: (body) => {
    const { acknowledgement } = decodeReportAcknowledgement(body);
    return {
      interaction: acknowledgement.interaction,
      messageId: acknowledgement.messageId,
      acknowledgement: acknowledgement.acknowledgement,
      duplicate: acknowledgement.duplicate,
      ...(acknowledgement.code !== undefined ? { code: acknowledgement.code } : {}),
      ...(acknowledgement.reason !== undefined ? { reason: acknowledgement.reason } : {}),
      ...(acknowledgement.receivedAt !== undefined ? { receivedAt: acknowledgement.receivedAt } : {}),
    };
  },
};

/** The patient's own GP is the practice that registered the professional summary for this BSN. */
const GP_CATEGORY = 'WAARNEEMGEGEVENS';

/**
 * Routing an observation report (REPC_IN990003NL) to the patient's own GP. The report passes through
 * memory only: the pipeline checks the sender (trust, address book, the protocol rows for CONTACTVERSLAG:
 * who may send one), this step finds the GP in the reference index, forwards synchronously and hands the
 * GP's acknowledgement (MCCI_IN000002) back. The one access-log entry holds delivery metadata (message id,
 * sender, target GP, outcome), never the content. De-duplication is the receiver's job (by message id),
 * so a sender may safely try again.
 */
async function deliver(ctx: Authorised<ObservationReportSubmission>): Promise<Acted<ReportRouting>> {
  const { q: r, deps, signed } = ctx;
  const sender = ctx.professional?.requester;
  if (sender === undefined) throw new Error('a report always has a sending professional');
  // Several entries happen when a patient moved and the old practice did not deregister: the newest wins.
  const entries = await deps.index.entries(r.bsn, GP_CATEGORY);
  const gp = entries.filter((e) => e.baseUrl !== null).sort((a, b) => b.registeredAt.localeCompare(a.registeredAt))[0];
  if (gp === undefined || gp.baseUrl === null) {
    const decision: Decision = {
      code: 'NO_REGISTERED_GP',
      rule: 'LSP-REPORT-1: a report goes to the GP practice registered for WAARNEEMGEGEVENS in the reference index',
      explanation:
        'No GP practice has registered this patient in the reference index (no consent given at their GP), so the switch point cannot route the report. Send it to the GP another way.',
    };
    throw problem('UNKNOWN_PATIENT', decision.explanation, { decision });
  }
  const delivery: ObservationReportDelivery = {
    messageId: r.messageId,
    bsn: r.bsn,
    sender: {
      applicationId: sender.applicationId,
      ura: sender.ura,
      organisationName: sender.organisationName,
      organisationType: sender.organisationType,
    },
    author: r.sender.professional,
    ...(r.sender.responsible !== undefined ? { responsible: r.sender.responsible } : {}),
    situation: r.situation,
    encounter: r.encounter,
    writtenAt: r.writtenAt,
  };
  const entry = (outcome: AccessEvent['outcome'], status: SourceStatus, code: string, what: string) => ({
    outcome,
    code,
    explanation: `from ${sender.organisationName} to ${gp.organisationName}: ${what} [LSP-REPORT-1]`,
    sources: [{ applicationId: gp.applicationId, status, code }],
  });

  let ack: ReportAcknowledgement;
  try {
    ack = (
      await askLeg(
        deps.client,
        { applicationId: gp.applicationId, baseUrl: gp.baseUrl, wire: gp.wire },
        DELIVERY,
        delivery,
        { aorta: signed.aorta, timeoutMs: deps.timeoutMs },
      )
    ).body;
  } catch (err) {
    const p = err instanceof CallError ? err.detail.problem : undefined;
    if (err instanceof CallError && err.kind === 'problem' && p !== undefined && p.status < 500) {
      // The GP refused the report as such (4xx): that is a rejection (AR), never worth another try.
      ack = {
        interaction: 'MCCI_IN000002',
        messageId: r.messageId,
        acknowledgement: 'AR',
        duplicate: false,
        code: p.code,
        reason: p.detail ?? p.title,
      };
    } else {
      const failure = upstreamFailure(err);
      signed.log.warn(
        { target: gp.applicationId, code: failure.code, err: failure.detail },
        'observation report not delivered',
      );
      throw new Stop(
        problem(
          failure.code,
          `${gp.organisationName} did not acknowledge observation report ${r.messageId}: ${failure.detail}. Try again with the same message id.`,
        ),
        entry('failed', failure.status, failure.code, `not delivered (${failure.status}); the sender tries again`),
      );
    }
  }
  if (ack.messageId !== r.messageId) {
    throw new Stop(
      problem(
        'UPSTREAM_ERROR',
        `${gp.organisationName} acknowledged message ${ack.messageId} instead of ${r.messageId}`,
      ),
      entry('failed', 'error', 'UPSTREAM_ERROR', `acknowledged another message id (${ack.messageId})`),
    );
  }
  const log =
    ack.acknowledgement === 'AA'
      ? entry('permitted', 'ok', 'AA', ack.duplicate ? 'accepted (AA, duplicate: received before)' : 'accepted (AA)')
      : ack.acknowledgement === 'AR'
        ? entry('refused', 'refused', `AR:${ack.code ?? 'REJECTED'}`, `rejected (AR ${ack.code ?? ''})`)
        : entry(
            'failed',
            'error',
            `AE:${ack.code ?? 'ERROR'}`,
            `error at the GP (AE ${ack.code ?? ''}); the sender tries again`,
          );
  signed.log.info(
    {
      interaction: 'REPC_IN990003NL',
      messageId: r.messageId,
      target: gp.applicationId,
      acknowledgement: ack.acknowledgement,
      duplicate: ack.duplicate,
    },
    'observation report routed',
  );
  return {
    answer: {
      ...ack,
      deliveredTo: { applicationId: gp.applicationId, ura: gp.ura, organisationName: gp.organisationName },
    },
    log,
  };
}

/** REPC_IN990003NL -> MCCI_IN000002 from the patient's own GP. The report is a contact report (CONTACTVERSLAG). */
export const REPORT: InteractionDefinition<ObservationReportSubmission, ReportRouting> = {
  interaction: 'REPC_IN990003NL',
  answer: 'MCCI_IN000002',
  categories: () => ['CONTACTVERSLAG'],
  operatorMay: false,
  subject: (r) => ({
    bsn: r.bsn,
    applicationId: r.sender.applicationId,
    professional: r.sender.professional,
    responsible: r.sender.responsible,
    situation: r.situation,
  }),
  describe: (r) => `Observation report ${r.messageId}: `,
  act: deliver,
};
