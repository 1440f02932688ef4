import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino, type LoggerOptions } from 'pino';

/**
 * Operational logs hold no patient identifiers and no clinical content: NEN 7513 accesses are recorded in
 * the access log (switch point) and the source logs, where they belong. So a request is logged by its
 * route pattern (/patients/:bsn), never its URL (/patients/999900146); fields that name a patient are
 * censored wherever they appear in a logged object; and error messages lose any nine-digit number (a BSN
 * or a UZI number) before they are written.
 */
const NINE_DIGITS = /\b\d{9}\b/g;
export const scrub = (text: string) => text.replace(NINE_DIGITS, '[number]');

const PATIENT_FIELDS = [
  'bsn',
  'patient',
  'name',
  'birthDate',
  'summary',
  'dispenses',
  'encounter',
  'body',
  'payload',
  'url',
];

export const redactingSerializers: Pick<LoggerOptions, 'serializers' | 'redact'> = {
  serializers: {
    req: (request: FastifyRequest) => ({ method: request.method, route: request.routeOptions.url ?? '(no route)' }),
    res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
    // Logged as err: an Error, or sometimes just its message.
    err: (err: unknown) => {
      if (!(err instanceof Error)) return scrub(String(err));
      const out = pino.stdSerializers.err(err);
      return { ...out, message: scrub(out.message), stack: scrub(out.stack) };
    },
  },
  redact: { paths: [...PATIENT_FIELDS, ...PATIENT_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
};
