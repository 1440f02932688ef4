import type { FastifyRequest } from 'fastify';
import { ProblemError, problem, type Decision } from '@schakel/contracts';
import type { Verifier, AssertionClaims } from '@schakel/trust/assertion';
import { nowIso, type ClientIdentity, type Kysely } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import { caller, type Revocations } from './auth.js';

export interface AssertionCheck {
  verifier: Verifier;
  db: Kysely<LspDatabase>;
  revocations: Revocations;
  /** Counts checks, to prune expired message ids now and then. */
  seen: number;
}

export interface Expected {
  interaction: string;
  bsn: string;
  /** The acting professional the request names; a request that names none (a lookup) takes the assertion's. */
  professional?: { uziNumber: string; roleCode: string } | undefined;
  responsible?: { uziNumber: string; roleCode: string } | undefined;
}

const refusal = (code: Parameters<typeof problem>[0], rule: string, explanation: string): ProblemError =>
  problem(code, explanation, { decision: { code, rule, explanation } satisfies Decision });

/**
 * The signed professional assertion on a query (Authorization: Bearer <JWS>): signature and issuer (UZI
 * card CA), validity window (at most 5 minutes, clock skew allowed), revocation, that the organisation
 * matches the client certificate, that BSN, interaction and professional match the request, and that
 * the message id was never seen before. Returns the claims, or throws a refusal with its own code.
 */
export async function checkAssertion(check: AssertionCheck, request: FastifyRequest, client: ClientIdentity, expected: Expected): Promise<AssertionClaims> {
  const header = request.headers.authorization;
  const jws = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (jws === undefined || jws.length === 0) {
    throw refusal('ASSERTION_MISSING', 'TRUST-2: every query carries a signed professional assertion', 'The request has no signed professional assertion (Authorization: Bearer <JWS>).');
  }
  const result = await check.verifier.verify(jws);
  if (!result.ok) throw refusal(result.code, 'TRUST-2: every query carries a valid signed professional assertion', `The professional assertion was refused: ${result.detail}.`);
  if (await check.revocations.isRevoked(result.certificateSerial)) {
    throw refusal('CREDENTIAL_REVOKED', 'TRUST-2: every query carries a valid signed professional assertion', `The professional's UZI card certificate (serial ${result.certificateSerial}) is on the revocation list.`);
  }
  const c = result.claims;
  const mismatch = (what: string) => refusal('ASSERTION_MISMATCH', 'TRUST-3: the assertion must match the connection and the request', `The professional assertion does not match ${what}.`);
  if (c.ura !== client.ura) throw mismatch(`the organisation of the client certificate (assertion URA ${c.ura}, certificate URA ${client.ura})`);
  if (c.bsn !== expected.bsn) throw mismatch('the BSN of the request');
  if (c.interaction !== expected.interaction) throw mismatch(`the interaction (${c.interaction} signed, ${expected.interaction} asked)`);
  if (expected.professional !== undefined && (c.sub !== expected.professional.uziNumber || c.role !== expected.professional.roleCode)) {
    throw mismatch('the acting professional named in the request');
  }
  if (expected.responsible !== undefined && (c.resp?.uziNumber !== expected.responsible.uziNumber || c.resp.roleCode !== expected.responsible.roleCode)) {
    throw mismatch('the responsible professional named in the request');
  }
  // Replay: the primary key refuses a second insert of the same message id, in any process sharing the store.
  const inserted = await check.db
    .insertInto('assertion_ids')
    .values({ jti: c.jti, seen_at: nowIso(), expires_at: c.exp })
    .onConflict((oc) => oc.column('jti').doNothing())
    .executeTakeFirst();
  if (++check.seen % 1000 === 0) {
    // Expired ids can never be replayed successfully (the window check refuses them), so they may go.
    await check.db.deleteFrom('assertion_ids').where('expires_at', '<', Math.floor(Date.now() / 1000) - 3600).execute();
  }
  if (inserted.numInsertedOrUpdatedRows === 0n) {
    throw refusal('ASSERTION_REPLAYED', 'TRUST-4: a message id is accepted once', `The professional assertion's message id ${c.jti} was used before.`);
  }
  return c;
}

/**
 * The trust prelude of every signed request (queries and pushes): the connection's system must be the one
 * the body names (TRUST-1), and a professional must have signed (checkAssertion). A refusal is handed to
 * `onRefusal` (the route's access-log writer) before it is thrown. Answers the calling system and the verified claims.
 */
export async function checkSignedRequest(
  check: AssertionCheck,
  request: FastifyRequest,
  expected: Expected & { applicationId: string },
  onRefusal: (refusal: ProblemError, client: ClientIdentity) => Promise<unknown>,
): Promise<{ client: ClientIdentity; claims: AssertionClaims }> {
  const client = caller(request);
  try {
    if (client.applicationId !== expected.applicationId) {
      throw problem('CLIENT_NOT_ALLOWED', `The client certificate belongs to system ${client.applicationId}, but the request names system ${expected.applicationId}.`, {
        decision: { code: 'CLIENT_NOT_ALLOWED', rule: 'TRUST-1: a system acts in its own name only', explanation: 'A system queries and sends in its own name only.' },
      });
    }
    return { client, claims: await checkAssertion(check, request, client, expected) };
  } catch (err) {
    if (err instanceof ProblemError) await onRefusal(err, client);
    throw err;
  }
}
