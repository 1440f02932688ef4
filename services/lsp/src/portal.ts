import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { AccessLogEntry, Bsn, ConsentHolder, ConsentRecord, ConsentRequest, ConsentState, DataCategory, OrganisationType, problem } from '@schakel/contracts';
import { pick, type App } from '@schakel/service-kit';
import type { ConsentStore } from './consent.js';
import { Period, periodRange, type AccessLog } from './access-log.js';

/**
 * The patient portal (volgjezorg / Mitz style): a test login by BSN plus a fixed test code stands in for
 * DigiD. The patient sees their choices, makes new ones, is told when someone else changed their profile,
 * and reads every access to their data, refusals included. No client certificate: this is a person.
 */
export function portalRoutes(app: App, deps: { consents: ConsentStore; accessLog: AccessLog; testCode: string }): void {
  const secret = randomBytes(32);
  async function patient(request: FastifyRequest): Promise<string> {
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (token === undefined) throw problem('PORTAL_LOGIN_REQUIRED', 'Log in first: POST /portal/login with your BSN and the test code');
    try {
      const { payload } = await jwtVerify(token, secret, { issuer: 'schakel-portal' });
      return String(payload.sub);
    } catch {
      throw problem('PORTAL_LOGIN_REQUIRED', 'Your session is not valid (expired, or the switch point restarted); log in again');
    }
  }
  const auth = { security: [{ portal: [] }] };

  app.post(
    '/portal/login',
    {
      schema: {
        tags: ['patient portal'],
        summary: 'Test login by BSN and the fixed test code (stands in for DigiD)',
        body: z.object({ bsn: Bsn, code: z.string().min(1).max(50) }).strict(),
        response: { 200: z.object({ token: z.string(), expiresAt: z.string() }), 401: z.any(), ...pick(400) },
      },
    },
    async (request) => {
      if (request.body.code !== deps.testCode) throw problem('PORTAL_LOGIN_FAILED', 'The test code is not right (see the README)');
      const expires = new Date(Date.now() + 30 * 60_000);
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(request.body.bsn).setIssuer('schakel-portal').setExpirationTime(Math.floor(expires.getTime() / 1000)).sign(secret);
      return { token, expiresAt: expires.toISOString() };
    },
  );

  const Notification = z.object({ at: z.string(), message: z.string(), consentRecordId: z.number().nullable() });
  app.get(
    '/portal/profile',
    {
      schema: {
        tags: ['patient portal'],
        summary: 'My consent profile: choices in force, history, requests waiting at a holder, and notifications',
        ...auth,
        response: {
          200: z.object({ bsn: Bsn, inForce: z.array(ConsentRecord), history: z.array(ConsentRecord), pendingRequests: z.array(ConsentRequest), notifications: z.array(Notification) }),
          ...pick(400),
        },
      },
    },
    async (request) => {
      const bsn = await patient(request);
      return {
        bsn,
        inForce: await deps.consents.inForce(bsn),
        history: await deps.consents.history(bsn),
        pendingRequests: await deps.consents.requests({ bsn, status: 'pending' }),
        notifications: (await deps.consents.notifications(bsn)).map((n) => ({ at: n.at, message: n.message, consentRecordId: n.consent_record_id })),
      };
    },
  );

  app.post(
    '/portal/choices',
    {
      schema: {
        tags: ['patient portal'],
        summary: 'Make a choice: for a named holder it becomes a request that holder processes; for a category of holders (or all) it is in force at once',
        ...auth,
        body: z
          .object({
            state: ConsentState,
            holder: ConsentHolder,
            category: z.union([DataCategory, z.literal('*')]).default('*'),
            consumerType: z.union([OrganisationType, z.literal('*')]).default('*'),
          })
          .strict(),
        response: { 201: z.object({ record: ConsentRecord }), 202: z.object({ request: ConsentRequest }), ...pick(400) },
      },
    },
    async (request, reply) => {
      const bsn = await patient(request);
      const c = request.body;
      if ('ura' in c.holder) {
        const pending = await deps.consents.request(bsn, { holderUra: c.holder.ura, state: c.state, category: c.category, consumerType: c.consumerType });
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
        ...auth,
        querystring: Period,
        response: { 200: z.object({ entries: z.array(AccessLogEntry) }), ...pick(400) },
      },
    },
    async (request) => {
      const bsn = await patient(request);
      return { entries: await deps.accessLog.forPatient(bsn, periodRange(request.query)) };
    },
  );
}
