import type { FastifyRequest, InjectOptions } from 'fastify';
import { z } from 'zod';
import { Bsn, Problem, problem, toProblem } from '@schakel/contracts';
import { aortaIfAny, pick, type App } from './app.js';
import { audience, type Guard } from './audience.js';
import { createAttemptLimiter } from './attempts.js';
import {
  FrontOfficeLogEntry,
  FrontOfficeUser,
  createFrontOfficeStore,
  hashPassword,
  type FrontOfficeStore,
} from './front-office-users.js';
import type { QueryRunner } from './store.js';

export interface FrontOfficeOptions {
  /** The organisation's store (its migrations include frontOfficeMigration). */
  db: QueryRunner;
  /** The organisation whose front office this is. */
  ura: string;
  /** How long a session lasts (default 30 minutes, as the portal's). */
  sessionMinutes?: number;
  /** Failed logins allowed per username and per client address in a window (default 5 and 20 in 15 minutes). */
  limits?: { perAccount: number; perClient: number; windowMs: number };
}

interface FrontOffice {
  ura: string;
  store: FrontOfficeStore;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This organisation's front office (setUpFrontOffice); absent: nobody gets in. */
    frontOffice?: FrontOffice;
  }
  interface FastifyRequest {
    /** The logged-in local user, once the front-office guard passed. */
    frontOfficeUser?: FrontOfficeUser;
    /** Patients a front-office route touched besides the BSN in its path, query or body (notePatient). */
    patientsTouched?: string[];
    /** The problem code an error answer carried, for the front office's log. */
    problemCode?: string;
  }
}

const SESSION_MINUTES = 30;
const bearer = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
};

/**
 * The guard of a front office: the organisation's own people, logged in as one of its local users
 * (POST /front-office/login). No certificate opens it, not even the operator's or the organisation's
 * own system certificate: those files sit on the machine for anyone to use, and a front-office access is
 * always some person's (NEN 7513). A route joins the front office by being registered in its audience.
 */
export function frontOfficeOf(ura: string): Guard {
  return async (request: FastifyRequest) => {
    const office = request.server.frontOffice;
    if (office === undefined || office.ura !== ura)
      throw problem('FRONT_OFFICE_LOGIN_REQUIRED', `The front office of organisation ${ura} has no local users set up`);
    const token = bearer(request);
    if (token === undefined)
      throw problem(
        'FRONT_OFFICE_LOGIN_REQUIRED',
        'Log in first: POST /front-office/login with a local username and password, then send Authorization: Bearer <token>',
      );
    const session = await office.store.session(token);
    if (session === undefined)
      throw problem('FRONT_OFFICE_LOGIN_REQUIRED', 'The session is not valid (expired or logged out); log in again');
    request.frontOfficeUser = session.user;
  };
}

/** The logged-in user of a front-office route (the guard has set it). */
export function frontOfficeUser(request: FastifyRequest): FrontOfficeUser {
  if (request.frontOfficeUser === undefined) throw problem('FRONT_OFFICE_LOGIN_REQUIRED', 'Log in first');
  return request.frontOfficeUser;
}

/** A front-office route that shows a patient not named in its path, query or body (an inbox item, a consult). */
export function notePatient(request: FastifyRequest, bsn: string): void {
  (request.patientsTouched ??= []).push(bsn);
}

/** The patients a front-office request concerns: the BSN in its path, query or body, and any noted. */
function patientsOf(request: FastifyRequest): string[] {
  const found = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && Bsn.safeParse(value).success) found.add(value);
  };
  const field = (o: unknown) =>
    typeof o === 'object' && o !== null ? (o as Record<string, unknown>)['bsn'] : undefined;
  add(field(request.params));
  add(field(request.query));
  add(field(request.body));
  for (const bsn of request.patientsTouched ?? []) add(bsn);
  return [...found];
}

/**
 * Set up the organisation's front office: its local users (provisioned into the store at start-up), the
 * login (open, limited in failed attempts), logout, who am I, and the front office's access log. Every
 * front-office request that concerns a patient, read or change, allowed or refused, is written to that
 * log once, with the local user (none when refused). Call before registering the front-office audience.
 */
export async function setUpFrontOffice(app: App, options: FrontOfficeOptions): Promise<FrontOfficeStore> {
  const store = createFrontOfficeStore(options.db);
  const minutes = options.sessionMinutes ?? SESSION_MINUTES;
  const attempts = createAttemptLimiter(options.limits ?? { perAccount: 5, perClient: 20, windowMs: 15 * 60_000 });
  app.decorate('frontOffice', { ura: options.ura, store });

  // Hooks on the root reach every route registered after, in whichever audience; they act on front-office routes only.
  app.addHook('onError', async (request, _reply, error) => {
    request.problemCode = toProblem(error).code;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.config.audience !== 'front-office') return;
    const route = request.routeOptions.url ?? '';
    const code = request.problemCode ?? (reply.statusCode >= 400 ? 'ERROR' : undefined);
    const outcome = code === undefined ? String(reply.statusCode) : `${reply.statusCode} ${code}`;
    try {
      for (const bsn of patientsOf(request))
        await store.log({
          user: request.frontOfficeUser,
          method: request.method,
          route,
          bsn,
          outcome,
          initialRequestId: aortaIfAny(request)?.initialRequestId,
        });
    } catch (err) {
      request.log.error({ err, route }, 'front-office access not logged');
    }
  });

  await audience(
    app,
    'front-office-login',
    async () => undefined,
    (open) => {
      open.post(
        '/front-office/login',
        {
          schema: {
            tags: ['front office'],
            summary: 'Log in as one of the organisation’s local users; the token opens its front office',
            description: `A session lasts ${minutes} minutes. Send the token as Authorization: Bearer <token>. Failed attempts are limited per username and per client address: past the limit the answer is 429 TOO_MANY_ATTEMPTS with Retry-After. The test users are in the topology file (see the README).`,
            body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict(),
            response: {
              200: z.object({ token: z.string(), expiresAt: z.string(), user: FrontOfficeUser }),
              401: Problem,
              429: Problem,
              ...pick(400),
            },
          },
        },
        async (request, reply) => {
          const { username, password } = request.body;
          const keys = [`account:${username}`, `client:${request.ip}`];
          const blocked = attempts.blocked(keys);
          if (blocked !== undefined) {
            reply.header('retry-after', String(Math.ceil(blocked / 1000)));
            throw problem(
              'TOO_MANY_ATTEMPTS',
              `Too many failed logins; try again in ${Math.ceil(blocked / 1000)} seconds`,
            );
          }
          const user = await store.verify(username, password);
          if (user === undefined) {
            attempts.failed(keys);
            request.log.warn('front-office login failed');
            throw problem(
              'FRONT_OFFICE_LOGIN_FAILED',
              'Unknown username or wrong password (test users: see the README)',
            );
          }
          attempts.succeeded(`account:${username}`);
          return { ...(await store.startSession(user, minutes)), user };
        },
      );
    },
  );

  await audience(app, 'front-office', frontOfficeOf(options.ura), (front) => {
    front.post(
      '/front-office/logout',
      {
        schema: {
          tags: ['front office'],
          summary: 'End this session: its token is refused from now on',
          response: { 204: z.null(), ...pick(400) },
        },
      },
      async (request, reply) => {
        const token = bearer(request);
        if (token !== undefined) await store.endSession(token);
        return reply.status(204).send(null);
      },
    );
    front.get(
      '/front-office/session',
      {
        schema: {
          tags: ['front office'],
          summary: 'Who is logged in with this token, and until when',
          response: { 200: z.object({ user: FrontOfficeUser, expiresAt: z.string() }), ...pick(400) },
        },
      },
      async (request) => {
        const session = await store.session(bearer(request) ?? '');
        if (session === undefined) throw problem('FRONT_OFFICE_LOGIN_REQUIRED', 'The session ended; log in again');
        return session;
      },
    );
    front.get(
      '/front-office/access-log',
      {
        schema: {
          tags: ['front office'],
          summary:
            'Every front-office access to a patient at this organisation: which local user, which route, the outcome (refusals included)',
          querystring: z.object({ bsn: Bsn.optional() }).strict(),
          response: { 200: z.object({ entries: z.array(FrontOfficeLogEntry) }), ...pick(400) },
        },
      },
      async (request) => ({ entries: await store.entries(request.query.bsn) }),
    );
  });
  return store;
}

/** A professional as a test names them; the front-office user gets a name when none is given. */
type TestProfessional = { uziNumber: string; roleCode: string; name?: string | undefined };

/**
 * For tests that use inject(). A front-office session for a test: adds a local user for this professional to the organisation's store
 * (as the topology's test users are at start-up) and logs in through the real POST /front-office/login.
 * Returns the Authorization header to send.
 */
export async function frontOfficeLogin(
  app: App,
  db: QueryRunner,
  professional: TestProfessional,
  username = `u${professional.uziNumber}`,
): Promise<{ authorization: string }> {
  const password = `test-${username}`;
  await createFrontOfficeStore(db).add({
    username,
    professional: {
      uziNumber: professional.uziNumber,
      roleCode: professional.roleCode,
      name: professional.name ?? `Professional ${professional.uziNumber}`,
    },
    passwordHash: await hashPassword(password),
  });
  const r = await app.inject({ method: 'POST', url: '/front-office/login', payload: { username, password } });
  if (r.statusCode !== 200) throw new Error(`front-office login of ${username}: ${r.statusCode} ${r.body}`);
  return { authorization: `Bearer ${r.json<{ token: string }>().token}` };
}

/**
 * The app as a logged-in front-office user sees it: every inject() carries the session's header (a
 * header the test gives itself wins, so a test can still send none or another).
 */
export function asFrontOfficeUser(app: App, headers: { authorization: string }): App {
  return new Proxy(app, {
    get(target, prop) {
      if (prop === 'inject')
        return (options: string | InjectOptions) => {
          const o: InjectOptions = typeof options === 'string' ? { url: options } : options;
          return target.inject({ ...o, headers: { ...headers, ...(o.headers as Record<string, string>) } });
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
