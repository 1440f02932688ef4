import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import {
  AccessLogEntry,
  Bsn,
  ConsentHolder,
  ConsentRecord,
  ConsentRequest,
  ConsentState,
  DataCategory,
  OrganisationType,
  Problem,
  problem,
} from '@schakel/contracts';
import { audience, pick, replicaSecret, type App, type Kysely } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import type { ConsentStore } from './consent.js';
import { Period, periodRange, type AccessLog } from './access-log.js';
import { createPortalAttempts } from './portal-attempts.js';

/**
 * The patient portal (volgjezorg / Mitz style): a test login by BSN plus a fixed test code stands in for
 * DigiD. The patient sees their choices, makes new ones, is told when someone else changed their profile,
 * and reads every access to their data, refusals included. No client certificate: this is a person.
 */
export interface PortalDeps {
  consents: ConsentStore;
  accessLog: AccessLog;
  testCode: string;
  /** The store, for sessions ended by logout and failed logins (shared by every replica). */
  db: Kysely<LspDatabase>;
  /** Failed logins allowed per BSN and per client address in a window (default 5 and 20 in 15 minutes). */
  limits?: { perBsn: number; perClient: number; windowMs: number };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in patient's BSN, once the portal guard passed. */
    patientBsn?: string;
  }
}

const SESSION_MINUTES = 30;

/**
 * The patient portal (volgjezorg / Mitz style): a test login by BSN plus a fixed test code stands in for
 * DigiD. The patient sees their choices, makes new ones, is told when someone else changed their profile,
 * and reads every access to their data, refusals included. No client certificate: this is a person. Two
 * audiences: the login (open, but limited in failed attempts) and everything else (a portal session).
 */
export async function portalRoutes(app: App, deps: PortalDeps): Promise<void> {
  // Shared by the replicas of one switch point, new at each start: a restart ends every session.
  const secret = replicaSecret('portal-session');
  // Counted in the store: a limit per replica would multiply the tries by the number of replicas.
  const attempts = createPortalAttempts(deps.db, {
    perAccount: deps.limits?.perBsn ?? 5,
    perClient: deps.limits?.perClient ?? 20,
    windowMs: deps.limits?.windowMs ?? 15 * 60_000,
  });

  async function session(request: FastifyRequest): Promise<{ bsn: string; jti: string; exp: number }> {
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (token === undefined)
      throw problem('PORTAL_LOGIN_REQUIRED', 'Log in first: POST /portal/login with your BSN and the test code');
    try {
      const { payload } = await jwtVerify(token, secret, {
        issuer: 'schakel-portal',
        requiredClaims: ['iat', 'jti', 'exp'],
      });
      const jti = String(payload.jti);
      const ended = await deps.db.selectFrom('portal_logouts').select('jti').where('jti', '=', jti).executeTakeFirst();
      if (ended !== undefined) throw new Error('logged out');
      return { bsn: String(payload.sub), jti, exp: Number(payload.exp) };
    } catch {
      throw problem(
        'PORTAL_LOGIN_REQUIRED',
        'Your session is not valid (expired, logged out, or the switch point restarted); log in again',
      );
    }
  }

  await audience(
    app,
    'portal-login',
    async () => undefined,
    (open) => {
      open.post(
        '/portal/login',
        {
          schema: {
            tags: ['patient portal'],
            summary: 'Test login by BSN and the fixed test code (stands in for DigiD)',
            description: `A session lasts ${SESSION_MINUTES} minutes. Failed attempts are limited per BSN and per client address: past the limit the answer is 429 TOO_MANY_ATTEMPTS with Retry-After.`,
            body: z.object({ bsn: Bsn, code: z.string().min(1).max(50) }).strict(),
            response: {
              200: z.object({ token: z.string(), expiresAt: z.string() }),
              401: Problem,
              429: Problem,
              ...pick(400),
            },
          },
        },
        async (request, reply) => {
          const keys = [`account:${request.body.bsn}`, `client:${request.ip}`];
          const blocked = await attempts.blocked(keys);
          if (blocked !== undefined) {
            reply.header('retry-after', String(Math.ceil(blocked / 1000)));
            throw problem(
              'TOO_MANY_ATTEMPTS',
              `Too many failed logins; try again in ${Math.ceil(blocked / 1000)} seconds`,
            );
          }
          if (request.body.code !== deps.testCode) {
            await attempts.failed(keys);
            throw problem('PORTAL_LOGIN_FAILED', 'The test code is not right (see the README)');
          }
          await attempts.succeeded(`account:${request.body.bsn}`);
          const expires = new Date(Date.now() + SESSION_MINUTES * 60_000);
          const token = await new SignJWT({})
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject(request.body.bsn)
            .setIssuer('schakel-portal')
            .setIssuedAt()
            .setJti(randomUUID())
            .setExpirationTime(Math.floor(expires.getTime() / 1000))
            .sign(secret);
          return { token, expiresAt: expires.toISOString() };
        },
      );
    },
  );

  const guard = async (request: FastifyRequest) => {
    request.patientBsn = (await session(request)).bsn;
  };
  await audience(app, 'portal', guard, (portal) => {
    patientRoutes(portal, deps, async (request) => {
      const s = await session(request);
      await deps.db
        .deleteFrom('portal_logouts')
        .where('expires_at', '<', Math.floor(Date.now() / 1000))
        .execute();
      await deps.db.insertInto('portal_logouts').values({ jti: s.jti, expires_at: s.exp }).execute();
    });
  });
}

function patientRoutes(app: App, deps: PortalDeps, logout: (request: FastifyRequest) => Promise<void>): void {
  const patient = (request: FastifyRequest): string => {
    if (request.patientBsn === undefined) throw problem('PORTAL_LOGIN_REQUIRED', 'Log in first');
    return request.patientBsn;
  };

  app.post(
    '/portal/logout',
    {
      schema: {
        tags: ['patient portal'],
        summary: 'End this portal session: its token is refused from now on',
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await logout(request);
      return reply.status(204).send(null);
    },
  );

  const Notification = z.object({ at: z.string(), message: z.string(), consentRecordId: z.number().nullable() });
  app.get(
    '/portal/profile',
    {
      schema: {
        tags: ['patient portal'],
        summary: 'My consent profile: choices in force, history, requests waiting at a holder, and notifications',
        response: {
          200: z.object({
            bsn: Bsn,
            inForce: z.array(ConsentRecord),
            history: z.array(ConsentRecord),
            pendingRequests: z.array(ConsentRequest),
            notifications: z.array(Notification),
          }),
          ...pick(400),
        },
      },
    },
    async (request) => {
      const bsn = patient(request);
      return {
        bsn,
        inForce: await deps.consents.inForce(bsn),
        history: await deps.consents.history(bsn),
        pendingRequests: await deps.consents.requests({ bsn, status: 'pending' }),
        notifications: (await deps.consents.notifications(bsn)).map((n) => ({
          at: n.at,
          message: n.message,
          consentRecordId: n.consent_record_id,
        })),
      };
    },
  );

  app.post(
    '/portal/choices',
    {
      schema: {
        tags: ['patient portal'],
        summary:
          'Make a choice: for a named holder it becomes a request that holder processes; for a category of holders (or all) it is in force at once',
        body: z
          .object({
            state: ConsentState,
            holder: ConsentHolder,
            category: z.union([DataCategory, z.literal('*')]).default('*'),
            consumerType: z.union([OrganisationType, z.literal('*')]).default('*'),
          })
          .strict(),
        response: {
          201: z.object({ record: ConsentRecord }),
          202: z.object({ request: ConsentRequest }),
          ...pick(400),
        },
      },
    },
    async (request, reply) => {
      const bsn = patient(request);
      const c = request.body;
      if ('ura' in c.holder) {
        const pending = await deps.consents.request(bsn, {
          holderUra: c.holder.ura,
          state: c.state,
          category: c.category,
          consumerType: c.consumerType,
        });
        return reply.status(202).send({ request: pending });
      }
      const record = await deps.consents.record(bsn, { ...c, recordedBy: 'patient', channel: 'portal' });
      return reply.status(201).send({ record });
    },
  );

  app.get(
    '/portal/access-log',
    {
      schema: {
        tags: ['patient portal'],
        summary: 'Who looked at my data through the switch point, in time order, refusals included',
        querystring: Period,
        response: { 200: z.object({ entries: z.array(AccessLogEntry) }), ...pick(400) },
      },
    },
    async (request) => {
      const bsn = patient(request);
      return { entries: await deps.accessLog.forPatient(bsn, periodRange(request.query)) };
    },
  );
}
