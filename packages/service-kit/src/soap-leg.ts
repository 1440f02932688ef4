import { z } from 'zod';
import { ProblemError, type AortaId } from '@schakel/contracts';
import {
  LSP_APPLICATION_ID,
  actionOf,
  acknowledgementFromProblem,
  buildAnswerEnvelope,
  buildFault,
  interactionOf,
  parseEnvelope,
  type SoapEnvelope,
  type WireInteraction,
  type XmlInput,
} from '@schakel/hl7v3';
import type { FastifyBaseLogger } from 'fastify';
import type { App } from './app.js';

/** The path of a source's HL7v3 leg: the address book gives the switch point `<base URL>/lsp/aorta` for it. */
export const SOAP_LEG_PATH = '/lsp/aorta';

/** What a source answers one HL7v3 message with: the answer's interaction and its XML. */
export type SoapLegHandler = (
  body: XmlInput,
  context: { aorta: AortaId; log: FastifyBaseLogger },
) => Promise<{ answer: WireInteraction; xml: string }>;

/**
 * A source's HL7v3 leg (a pharmacy's QURX_IN990011NL, a GP's QUPC_IN990001NL and REPC_IN990003NL), for
 * a source whose address-book entry says it speaks hl7v3. Register it inside the switch-point-legs audience:
 * the guard is the same as for the JSON legs. It reads the envelope with the codec's safe parser, dispatches
 * on the Action (which must name the body), and answers in a SOAP envelope related to the request; a
 * message it cannot read is a SOAP Sender fault, a refusal an MCCI_IN000002 from this system (`me`) that
 * targets the envelope's MessageID (the switch point reads it as a refusal of the message itself).
 */
export async function soapLeg(
  app: App,
  me: { applicationId: string },
  handlers: Partial<Record<WireInteraction, SoapLegHandler>>,
): Promise<void> {
  await app.register(async (scope) => {
    for (const type of ['application/soap+xml', 'text/xml'])
      scope.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
    scope.post(
      SOAP_LEG_PATH,
      { config: { interaction: 'AORTA source leg' }, schema: { hide: true, body: z.string() } },
      async (request, reply) => {
        const soap = (status: number, xml: string) =>
          reply.status(status).type('application/soap+xml; charset=utf-8').send(xml);
        let env: SoapEnvelope;
        let interaction: WireInteraction;
        try {
          env = parseEnvelope(typeof request.body === 'string' ? request.body : '');
          interaction = interactionOf(env).id;
        } catch (err) {
          return soap(
            400,
            buildFault({
              code: 'Sender',
              subcode: 'VALIDATIEFOUT',
              reason:
                err instanceof ProblemError ? (err.problem.detail ?? err.problem.title) : 'not a SOAP 1.2 envelope',
            }),
          );
        }
        const handler = handlers[interaction];
        if (handler === undefined)
          return soap(
            400,
            buildFault({
              code: 'Sender',
              subcode: 'VALIDATIEFOUT',
              reason: `${interaction} is not answered here`,
              relatesTo: env.messageId,
            }),
          );
        try {
          const { answer, xml } = await handler(env.body, { aorta: request.aorta, log: request.log });
          // A FastifyReply is thenable: it is handed back to Fastify, not awaited (that would wait for the send).
          // eslint-disable-next-line @typescript-eslint/return-await
          return soap(200, buildAnswerEnvelope(env, { action: actionOf(answer), body: xml }));
        } catch (err) {
          if (!(err instanceof ProblemError)) throw err;
          const ack = acknowledgementFromProblem(err.problem, {
            transmission: {
              sender: { applicationId: me.applicationId },
              receiver: { applicationId: LSP_APPLICATION_ID.production },
            },
            inResponseTo: env.messageId,
          });
          return soap(200, buildAnswerEnvelope(env, { action: actionOf('MCCI_IN000002'), body: ack }));
        }
      },
    );
  });
}
