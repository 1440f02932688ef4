import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { problem, type ProblemError } from '@schakel/contracts';
import {
  certificateGuard,
  nowIso,
  pick,
  prepare,
  type App,
  type ClientIdentity,
  type Guard,
  type Kysely,
} from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import type { AccessLog } from './access-log.js';
import { createChangeWatch, readModel } from './read-model.js';

/** The calling system; the guard below has set it for every route that is not an operations route. */
export function caller(request: FastifyRequest): ClientIdentity {
  if (request.client === undefined)
    throw problem('CLIENT_CERT_REQUIRED', 'Connect with your system certificate (mutual TLS)');
  return request.client;
}

export const isAdmin = (id: ClientIdentity) => id.roles.includes('admin');

/** A system acts for itself only (or the operator acts for it). */
export function allowSelfOrAdmin(
  requestOrClient: FastifyRequest | ClientIdentity,
  owner: { applicationId?: string; ura?: string },
): ClientIdentity {
  const id = 'roles' in requestOrClient ? requestOrClient : caller(requestOrClient);
  if (isAdmin(id)) return id;
  if (owner.applicationId !== undefined && owner.applicationId !== id.applicationId) {
    throw problem('CLIENT_NOT_ALLOWED', `System ${id.applicationId} may not act for system ${owner.applicationId}`);
  }
  if (owner.ura !== undefined && owner.ura !== id.ura)
    throw problem('CLIENT_NOT_ALLOWED', `Organisation ${id.ura} may not act for organisation ${owner.ura}`);
  return id;
}

/** The revocation list the operator adds to (system and UZI card certificates alike). */
export function createRevocations(db: Kysely<LspDatabase>) {
  const select = prepare<{ serial_number: string }>(db, 'SELECT serial_number FROM revocations');
  const serials = readModel(
    createChangeWatch(db),
    ['revocations'],
    async () => new Set((await select.all()).map((r) => r.serial_number)),
  );
  return {
    async isRevoked(serialNumber: string): Promise<boolean> {
      return (await serials.get()).has(serialNumber.toUpperCase());
    },
    async revoke(serialNumber: string, reason: string, by: string) {
      const row = { serial_number: serialNumber.toUpperCase(), reason, revoked_at: nowIso(), revoked_by: by };
      await db
        .insertInto('revocations')
        .values(row)
        .onConflict((oc) => oc.column('serial_number').doNothing())
        .execute();
      return row;
    },
    list: () => db.selectFrom('revocations').selectAll().orderBy('revoked_at').execute(),
  };
}
export type Revocations = ReturnType<typeof createRevocations>;

/** What a route is, from its own config: the interaction it serves, or its method and pattern. */
export function interactionOf(request: FastifyRequest): string {
  return request.routeOptions.config.interaction ?? `${request.method} ${request.routeOptions.url ?? '(no route)'}`;
}

/**
 * The guard of the switch point's system routes (docs/security.md, "Who may call what"): a trusted, unrevoked system
 * certificate. Each refusal gets its own code and an access-log entry (with no patient: the body has not
 * been read yet). `operatorOnly` adds the operator's admin certificate on top.
 */
export function systemGuard(deps: { revocations: Revocations; accessLog: AccessLog }, operatorOnly = false): Guard {
  return certificateGuard({
    authorise: async (identity) => {
      if (await deps.revocations.isRevoked(identity.serialNumber)) {
        return problem(
          'CLIENT_CERT_REVOKED',
          `The client certificate ${identity.subject} (serial ${identity.serialNumber}) is on the revocation list`,
        );
      }
      if (operatorOnly && !isAdmin(identity))
        return problem(
          'CLIENT_NOT_ALLOWED',
          `${identity.subject} may not do this: it is for the operator's admin certificate`,
        );
      return undefined;
    },
    onRefusal: async (request, error: ProblemError, identity) => {
      await deps.accessLog.write({
        interaction: interactionOf(request),
        initialRequestId: request.aorta.initialRequestId,
        requestId: request.aorta.requestId,
        bsn: null,
        ...(identity !== undefined
          ? {
              requesterApplicationId: identity.applicationId,
              requesterUra: identity.ura,
              clientSubject: identity.subject,
            }
          : {}),
        outcome: 'refused',
        code: error.code,
        explanation: error.problem.detail ?? error.problem.title,
      });
    },
  });
}

/** Operator routes: revocations, policies, the access log, consent profiles. */
export function revocationRoutes(app: App, revocations: Revocations): void {
  const Revocation = z
    .object({ serialNumber: z.string(), reason: z.string(), revokedAt: z.string(), revokedBy: z.string() })
    .meta({ id: 'Revocation' });
  app.post(
    '/admin/revocations',
    {
      schema: {
        tags: ['trust'],
        summary: 'Put a certificate on the revocation list (operator only)',
        description:
          'Works for system certificates (refused at the TLS check) and UZI card certificates (refused at the assertion check).',
        body: z
          .object({
            serialNumber: z.string().regex(/^[0-9A-Fa-f]+$/, 'hexadecimal certificate serial number'),
            reason: z.string().min(1).max(200),
          })
          .strict(),
        response: { 201: Revocation, ...pick(400, 403) },
      },
    },
    async (request, reply) => {
      const row = await revocations.revoke(request.body.serialNumber, request.body.reason, caller(request).subject);
      request.log.warn({ serialNumber: row.serial_number, reason: row.reason }, 'certificate revoked');
      return reply.status(201).send({
        serialNumber: row.serial_number,
        reason: row.reason,
        revokedAt: row.revoked_at,
        revokedBy: row.revoked_by,
      });
    },
  );
  app.get(
    '/admin/revocations',
    {
      schema: {
        tags: ['trust'],
        summary: 'The revocation list (operator only)',
        response: { 200: z.object({ revocations: z.array(Revocation) }), ...pick(403) },
      },
    },
    async () => ({
      revocations: (await revocations.list()).map((r) => ({
        serialNumber: r.serial_number,
        reason: r.reason,
        revokedAt: r.revoked_at,
        revokedBy: r.revoked_by,
      })),
    }),
  );
}
