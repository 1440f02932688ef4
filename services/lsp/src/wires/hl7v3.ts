import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ProblemError, problem } from '@schakel/contracts';
import {
  LSP_APPLICATION_ID,
  SERVICES,
  acknowledgementFromProblem,
  actionOf,
  audienceOf,
  buildAnswerEnvelope,
  buildFault,
  buildWsdl,
  decodeMedicationQuery,
  decodeObservationReportSubmission,
  decodeRegistration,
  decodeSummaryQuery,
  encodeAcknowledgement,
  encodeBatch,
  encodeReportAcknowledgement,
  interactionOf,
  parseEnvelope,
  verifyAssertionHeader,
  type Device,
  type ServiceName,
  type SoapEnvelope,
  type Transmission,
  type WireInteraction,
} from '@schakel/hl7v3';
import type { App } from '@schakel/service-kit';
import type { VerifyResult } from '@schakel/trust/assertion';
import { caller } from '../auth.js';
import type { Signed } from '../pipeline/definition.js';
import { refusal } from '../pipeline/trust.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Registrations } from '../reference-index.js';
import { MEDICATION, SUMMARY } from '../interactions/queries.js';
import { REPORT } from '../interactions/report.js';

/** The switch point on the AORTA wire: application id 1 (production) or 3 (test), as docs/domain.md says. */
const LSP_DEVICE: Device = { applicationId: LSP_APPLICATION_ID.production };
const ADDRESSED = new Set([audienceOf(LSP_APPLICATION_ID.production), audienceOf(LSP_APPLICATION_ID.test)]);
const SOAP_TYPES = ['application/soap+xml', 'text/xml'];
const ENDPOINTS: Record<string, ServiceName> = { query: 'query', report: 'report', registration: 'registration' };

export interface Hl7v3Deps {
  run: Pipeline;
  registrations: Registrations;
  cardCaPem: string;
  clockSkewSeconds: number;
}

/** A SOAP answer: the envelope and its content type (SOAP 1.2). */
function soap(reply: FastifyReply, status: number, xml: string): FastifyReply {
  return reply.status(status).type('application/soap+xml; charset=utf-8').send(xml);
}

/**
 * The AORTA wire at the switch point: HL7v3 in SOAP 1.2 with WS-Addressing, over the same mutual TLS as the
 * JSON routes (this plugin is registered inside the system audience). Each POST dispatches on the Action
 * (which must name the body's element), decodes the message, and hands the same pipeline as the JSON routes
 * the message and the professional's XML-DSig header, verified here. What comes back is translated: a batch
 * (MCCI_IN200101) for a query, an acknowledgement (MCCI_IN000002) for a report or registration, and an
 * MCCI_IN000002 with AE/AR and its detail code (NAT, KEY204, VALIDATIEFOUT, ...) for every refusal. An
 * envelope that cannot be read as a message at all gets a SOAP Sender fault. Nothing here decides.
 */
export async function hl7v3Routes(app: App, deps: Hl7v3Deps): Promise<void> {
  await app.register(async (scope) => {
    // Only this scope reads XML; the text is parsed by the codec's safe parser (no DTD, size limits).
    for (const type of SOAP_TYPES)
      scope.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
        done(null, body),
      );

    for (const [path, service] of Object.entries(ENDPOINTS)) {
      const operations = new Set<string>(SERVICES[service].operations.map((o) => o.request));
      scope.post(
        `/aorta/${path}`,
        {
          config: { interaction: `AORTA ${service}` },
          schema: {
            hide: true,
            summary: `${SERVICES[service].name}: HL7v3 over SOAP 1.2 (WSDL at GET /aorta/${path}?wsdl)`,
            body: z.string(),
          },
        },
        async (request, reply) => {
          let env: SoapEnvelope;
          try {
            env = parseEnvelope(typeof request.body === 'string' ? request.body : '');
          } catch (err) {
            const reason =
              err instanceof ProblemError ? (err.problem.detail ?? err.problem.title) : 'not a SOAP 1.2 envelope';
            return soap(reply, 400, buildFault({ code: 'Sender', subcode: 'VALIDATIEFOUT', reason }));
          }
          if (env.notUnderstood.length > 0) {
            return soap(
              reply,
              400,
              buildFault({
                code: 'MustUnderstand',
                reason: `Header blocks not understood: ${env.notUnderstood.join(', ')}`,
                relatesTo: env.messageId,
              }),
            );
          }
          let interaction: WireInteraction;
          try {
            interaction = interactionOf(env).id;
            if (!operations.has(interaction))
              throw problem('VALIDATION_ERROR', `${interaction} is not an operation of ${SERVICES[service].name}`, {
                field: 'Envelope/Header/wsa:Action',
              });
          } catch (err) {
            const reason = err instanceof ProblemError ? (err.problem.detail ?? err.problem.title) : 'unknown Action';
            return soap(
              reply,
              400,
              buildFault({ code: 'Sender', subcode: 'VALIDATIEFOUT', reason, relatesTo: env.messageId }),
            );
          }
          return soap(reply, 200, await answer(deps, request, env, interaction));
        },
      );
    }
  });
}

/** The WSDLs are descriptions, like /openapi.json: open to anyone who can connect (operations audience). */
export function wsdlRoutes(app: App): void {
  for (const [path, service] of Object.entries(ENDPOINTS)) {
    app.get(
      `/aorta/${path}`,
      { schema: { hide: true, querystring: z.object({ wsdl: z.string().optional() }).strict() } },
      async (request, reply) => {
        const location = `https://${request.headers.host ?? '127.0.0.1:7000'}/aorta/${path}`;
        return reply.type('text/xml; charset=utf-8').send(buildWsdl(service, { location }));
      },
    );
  }
}

/** Run one message through the pipeline and translate what comes back; every refusal is an acknowledgement. */
async function answer(
  deps: Hl7v3Deps,
  request: FastifyRequest,
  env: SoapEnvelope,
  interaction: WireInteraction,
): Promise<string> {
  let transmission: Transmission | undefined;
  const back = (to: Transmission) => ({ sender: LSP_DEVICE, receiver: to.sender });
  const acknowledge = (body: string) => buildAnswerEnvelope(env, { action: actionOf('MCCI_IN000002'), body });
  try {
    const signed = signedFrom(deps, request, env, interaction);
    switch (interaction) {
      case 'QURX_IN990011NL':
      case 'QURX_IN990111NL': {
        const m = decodeMedicationQuery(env.body);
        transmission = m.transmission;
        const batch = await deps.run(MEDICATION, m.query, signed);
        const body = encodeBatch(batch, {
          transmission: back(m.transmission),
          inResponseTo: m.transmission.id,
          ...(interaction === 'QURX_IN990111NL' ? { answerInteraction: 'QURX_IN990113NL' as const } : {}),
        });
        return buildAnswerEnvelope(env, { action: actionOf('MCCI_IN200101'), body });
      }
      case 'QUPC_IN990001NL': {
        const m = decodeSummaryQuery(env.body);
        transmission = m.transmission;
        const batch = await deps.run(SUMMARY, m.query, signed);
        return buildAnswerEnvelope(env, {
          action: actionOf('MCCI_IN200101'),
          body: encodeBatch(batch, { transmission: back(m.transmission), inResponseTo: m.transmission.id }),
        });
      }
      case 'REPC_IN990003NL': {
        const m = decodeObservationReportSubmission(env.body);
        transmission = m.transmission;
        const routing = await deps.run(REPORT, m.report, signed);
        return acknowledge(encodeReportAcknowledgement(routing, { transmission: back(m.transmission) }));
      }
      case 'MFMT_IN002101':
      case 'MFMT_IN002102':
      case 'MFMT_IN002103': {
        // Registration is the holder's own business (no professional signs it): the same checks as the JSON routes.
        const m = decodeRegistration(env.body);
        transmission = m.transmission;
        const r = m.registration;
        if (interaction === 'MFMT_IN002103') await deps.registrations.deregister(caller(request), r);
        else await deps.registrations.register(caller(request), { ...r, reason: 'consent' });
        request.log.info(
          { interaction, category: r.category, applicationId: r.applicationId },
          'reference index changed over HL7v3',
        );
        return acknowledge(
          encodeAcknowledgement({
            ...back(m.transmission),
            acknowledgement: { typeCode: 'AA', targetMessageId: m.transmission.id },
          }),
        );
      }
      default:
        throw problem('VALIDATION_ERROR', `${interaction} is not answered by the switch point`);
    }
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err;
    request.log.info({ interaction, code: err.code }, 'HL7v3 message refused');
    const to: Device = transmission?.sender ?? { applicationId: 'unknown' };
    return acknowledge(
      acknowledgementFromProblem(err.problem, {
        transmission: { sender: LSP_DEVICE, receiver: to },
        inResponseTo: transmission?.id ?? env.messageId,
      }),
    );
  }
}

/** The pipeline's view of this message: the connection, the conversation, and the verified XML-DSig header. */
function signedFrom(deps: Hl7v3Deps, request: FastifyRequest, env: SoapEnvelope, interaction: WireInteraction): Signed {
  return {
    client: caller(request),
    aorta: request.aorta,
    log: request.log,
    token: async (): Promise<VerifyResult | undefined> => {
      const verdict = verifyAssertionHeader(env, {
        cardCaPem: deps.cardCaPem,
        clockSkewSeconds: deps.clockSkewSeconds,
      });
      if (!verdict.ok)
        return verdict.code === 'ASSERTION_MISSING'
          ? undefined
          : { ok: false, code: verdict.code, detail: verdict.detail };
      // The header must be addressed to the switch point (thrown here, the pipeline logs it as every refusal),
      // and a dispense-list query is signed as the medication query it is.
      if (!ADDRESSED.has(verdict.claims.aud)) {
        throw refusal(
          'ASSERTION_MISMATCH',
          'TRUST-3: the assertion must match the connection and the request',
          `The professional assertion is addressed to ${verdict.claims.aud}, not to the switch point.`,
        );
      }
      const signedFor =
        verdict.claims.interaction === 'QURX_IN990111NL' && interaction === 'QURX_IN990111NL'
          ? 'QURX_IN990011NL'
          : verdict.claims.interaction;
      return {
        ok: true,
        claims: { ...verdict.claims, interaction: signedFor as typeof MEDICATION.interaction },
        certificateSerial: verdict.certificateSerial,
        professionalName: verdict.professionalName,
      };
    },
  };
}
