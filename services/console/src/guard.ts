import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from '@schakel/contracts';
import type { Guard } from '@schakel/service-kit';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The console's audience: a person at this machine, in the console's own pages. The console holds the
 * operator's certificate and front-office logins, so it must not be something another web page can drive:
 * - the Host must be a loopback name (a DNS-rebinding page arrives with its own host name);
 * - when the browser names an Origin, it must be the console's own (another site's script);
 * - a request that changes something must come from htmx in the console's own page (`HX-Request: true`,
 *   a header a cross-site form cannot send and cross-site script may only send after a CORS preflight,
 *   which the console never grants).
 */
export const consoleGuard: Guard = async (request: FastifyRequest, reply: FastifyReply) => {
  const host = request.headers.host ?? '';
  const name = host.replace(/:\d+$/, '');
  const refuse = (detail: string) => {
    const p = problem('CONSOLE_REQUEST_REFUSED', detail).problem;
    return reply
      .code(p.status)
      .type('application/problem+json')
      .send({ ...p, instance: request.url });
  };
  if (!LOOPBACK_NAMES.has(name)) return refuse('The console answers only at 127.0.0.1 or localhost');
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return refuse('The console answers only its own origin');
  if (request.method === 'GET' || request.method === 'HEAD') return;
  if (request.headers['hx-request'] !== 'true') return refuse('Changes come only from the console’s own page');
};
