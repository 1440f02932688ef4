import { nowSeconds, problem, type Decision, type ProblemError } from '@schakel/contracts';
import { nowIso, prepare, type ClientIdentity, type Kysely, type PreparedStatement } from '@schakel/service-kit';
import type { AssertionClaims, VerifyResult } from '@schakel/trust/assertion';
import type { LspDatabase } from '../migrations.js';
import type { Revocations } from '../auth.js';

export interface AssertionCheck {
  db: Kysely<LspDatabase>;
  revocations: Revocations;
  /** Counts checks, to prune expired message ids now and then. */
  seen: number;
}

export interface Expected {
  interaction: string;
  bsn: string;
  /** The acting professional the message names; a message that names none (a lookup) takes the assertion's. */
  professional?: { uziNumber: string; roleCode: string } | undefined;
  responsible?: { uziNumber: string; roleCode: string } | undefined;
}

/** The replay insert, prepared once per store: it runs on every signed request. */
const replayInserts = new WeakMap<object, PreparedStatement<never>>();
function replayInsert(db: Kysely<LspDatabase>): PreparedStatement<never> {
  let statement = replayInserts.get(db);
  if (statement === undefined) {
    statement = prepare<never>(
      db,
      'INSERT INTO assertion_ids (jti, seen_at, expires_at) VALUES (?, ?, ?) ON CONFLICT (jti) DO NOTHING',
    );
    replayInserts.set(db, statement);
  }
  return statement;
}

const RULE = 'TRUST-2: every signed interaction carries a valid signed professional assertion';
export const refusal = (code: Parameters<typeof problem>[0], rule: string, explanation: string): ProblemError =>
  problem(code, explanation, { decision: { code, rule, explanation } satisfies Decision });

/**
 * The checks every wire's signed token gets once the wire has verified its signature (JWS on the JSON API,
 * XML-DSig on the HL7v3 wire): present and valid, card not revoked, the organisation that of the client
 * certificate, BSN, interaction and professional those of the message, and the message id never seen
 * before. Answers the claims, or throws a refusal with its own code and rule.
 */
export async function acceptAssertion(
  check: AssertionCheck,
  client: ClientIdentity,
  verified: VerifyResult | undefined,
  expected: Expected,
): Promise<AssertionClaims> {
  if (verified === undefined)
    throw refusal('ASSERTION_MISSING', RULE, 'The request has no signed professional assertion.');
  if (!verified.ok) throw refusal(verified.code, RULE, `The professional assertion was refused: ${verified.detail}.`);
  if (await check.revocations.isRevoked(verified.certificateSerial)) {
    throw refusal(
      'CREDENTIAL_REVOKED',
      RULE,
      `The professional's UZI card certificate (serial ${verified.certificateSerial}) is on the revocation list.`,
    );
  }
  const c = verified.claims;
  const mismatch = (what: string) =>
    refusal(
      'ASSERTION_MISMATCH',
      'TRUST-3: the assertion must match the connection and the request',
      `The professional assertion does not match ${what}.`,
    );
  if (c.ura !== client.ura)
    throw mismatch(
      `the organisation of the client certificate (assertion URA ${c.ura}, certificate URA ${client.ura})`,
    );
  if (c.bsn !== expected.bsn) throw mismatch('the BSN of the request');
  if (c.interaction !== expected.interaction)
    throw mismatch(`the interaction (${c.interaction} signed, ${expected.interaction} asked)`);
  if (
    expected.professional !== undefined &&
    (c.sub !== expected.professional.uziNumber || c.role !== expected.professional.roleCode)
  ) {
    throw mismatch('the acting professional named in the request');
  }
  if (
    expected.responsible !== undefined &&
    (c.resp?.uziNumber !== expected.responsible.uziNumber || c.resp.roleCode !== expected.responsible.roleCode)
  ) {
    throw mismatch('the responsible professional named in the request');
  }
  // Replay: the primary key refuses a second insert of the same message id, in any process sharing the store.
  const inserted = await replayInsert(check.db).run(c.jti, nowIso(), c.exp);
  if (++check.seen % 1000 === 0) {
    // Expired ids can never be replayed successfully (the window check refuses them), so they may go.
    await check.db
      .deleteFrom('assertion_ids')
      .where('expires_at', '<', nowSeconds() - 3600)
      .execute();
  }
  if (inserted === 0) {
    throw refusal(
      'ASSERTION_REPLAYED',
      'TRUST-4: a message id is accepted once',
      `The professional assertion's message id ${c.jti} was used before.`,
    );
  }
  return c;
}
