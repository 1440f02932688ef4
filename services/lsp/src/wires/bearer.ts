import type { FastifyRequest } from 'fastify';
import type { Verifier } from '@schakel/trust/assertion';
import { caller } from '../auth.js';
import type { Signed } from '../pipeline/definition.js';

/**
 * The pipeline's view of a request on the JSON and FHIR wires: the connection (mutual TLS), the AORTA-ID,
 * and the professional's signed assertion from `Authorization: Bearer <JWS>`, verified here.
 */
export function bearerSigned(verifier: Verifier): (request: FastifyRequest) => Signed {
  return (request) => ({
    client: caller(request),
    aorta: request.aorta,
    log: request.log,
    token: async () => {
      const header = request.headers.authorization;
      const jws = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      return jws.length === 0 ? undefined : verifier.verify(jws);
    },
  });
}
