import {
  decodeObservationReportDelivery,
  decodeSourceSummaryQuery,
  encodeReportAcknowledgement,
  encodeSummaryAnswer,
} from '@schakel/hl7v3';
import { soapLeg, type RoutePlugin } from '@schakel/service-kit';
import type { SummaryAnswers } from './summary-query.js';
import type { ReportReceiver } from './inbox.js';

/**
 * The practice's switch-point legs on the AORTA wire (HL7v3 in SOAP at /lsp/aorta), for when its address-book
 * entry says it speaks hl7v3 (the topology's `wire` setting, WIRE=hl7v3). Only a translation at the edge:
 * QUPC_IN990001NL is decoded to the same SourceSummaryQuery the JSON leg takes and answered by the same
 * function (QUPC_IN990002NL); REPC_IN990003NL is decoded to the same ObservationReportDelivery and goes into
 * the same inbox, de-duplicated by the report's message id, answered with an MCCI_IN000002 (AA, AE or AR)
 * that targets the report's message id. A message that cannot be decoded is an MCCI_IN000002 refusal of the
 * message (the kit's SOAP leg) and never reaches the inbox.
 */
export const aortaLegRoutes: RoutePlugin<{
  answers: SummaryAnswers;
  receive: ReportReceiver;
  me: { applicationId: string };
}> = async (app, { answers, receive, me }) => {
  await soapLeg(app, me, {
    QUPC_IN990001NL: async (body, { aorta }) => {
      const m = decodeSourceSummaryQuery(body);
      const xml = encodeSummaryAnswer(await answers(m.query, aorta), {
        transmission: { sender: { applicationId: me.applicationId }, receiver: m.transmission.sender },
        inResponseTo: m.transmission.id,
      });
      return { answer: 'QUPC_IN990002NL', xml };
    },
    REPC_IN990003NL: async (body, { aorta, log }) => {
      const m = decodeObservationReportDelivery(body);
      const ack = await receive(m.report, aorta, log);
      const xml = encodeReportAcknowledgement(ack, {
        transmission: { sender: { applicationId: me.applicationId }, receiver: m.transmission.sender },
      });
      return { answer: 'MCCI_IN000002', xml };
    },
  });
};
