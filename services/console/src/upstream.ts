import { randomUUID } from 'node:crypto';
import { CallError, createServiceClient, type CallOptions, type TlsMaterial } from '@schakel/service-kit';
import type { Problem } from '@schakel/contracts';
import type { ConsoleOrganisation, ConsoleUser } from './config.js';

/** The answer of one call the console made, or the problem it got (refusals are results to show, not crashes). */
export type Outcome<T> = { ok: true; status: number; body: T } | { ok: false; status: number; problem: Problem };

/** The demo patient portal's test code (services/lsp/src/portal.ts): the console logs in as the patient with it. */
const PORTAL_TEST_CODE = '123456';

/**
 * How the console reaches the services, and nothing else: as the operator (the admin certificate, mutual TLS)
 * at the switch point's operator routes; as a person at an organisation's desk (a front-office login of one of
 * the topology's test users, no certificate); and as a patient in the portal. Each call goes through the same
 * checks as from anyone else: the console adds no way in (docs/console.md, "Security").
 */
export function createUpstream(options: { lspUrl: string; admin: TlsMaterial; organisations: ConsoleOrganisation[] }) {
  const operator = createServiceClient({ timeoutMs: 15_000, tls: options.admin });
  // A person: trusts the test root, shows no certificate.
  const person = createServiceClient({ timeoutMs: 15_000, tls: { ca: options.admin.ca } });
  const sessions = new Map<string, string>();
  const portalSessions = new Map<string, string>();

  const outcome = async <T>(call: () => Promise<{ status: number; body: T }>): Promise<Outcome<T>> => {
    try {
      const r = await call();
      return { ok: true, status: r.status, body: r.body };
    } catch (err) {
      if (err instanceof CallError) {
        const problem: Problem = err.detail.problem ?? {
          type: 'about:blank',
          title: err.message,
          status: err.detail.status ?? 502,
          code: err.kind === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_ERROR',
        };
        return { ok: false, status: problem.status, problem };
      }
      throw err;
    }
  };

  const organisation = (id: string): ConsoleOrganisation => {
    const o = options.organisations.find((x) => x.id === id);
    if (o === undefined) throw new Error(`No organisation ${id}`);
    return o;
  };
  const userOf = (o: ConsoleOrganisation, username: string): ConsoleUser => {
    const u = o.users.find((x) => x.username === username);
    if (u === undefined) throw new Error(`${o.id} has no test user ${username}`);
    return u;
  };

  async function login(o: ConsoleOrganisation, u: ConsoleUser): Promise<string> {
    const r = await person.call<{ token: string }>(o.url, {
      method: 'POST',
      path: '/front-office/login',
      body: { username: u.username, password: u.password },
    });
    const authorization = `Bearer ${r.body.token}`;
    sessions.set(`${o.id}/${u.username}`, authorization);
    return authorization;
  }

  return {
    organisations: options.organisations,
    organisation,
    userOf,
    /** A call at the switch point with the operator's certificate. */
    operator: <T>(opts: CallOptions<T>) => outcome(() => operator.call<T>(options.lspUrl, opts)),
    /**
     * A call at an organisation's front office as one of its test users (logged in once, again when the
     * session ran out). `initialRequestId` starts the conversation, so the console finds it in the journals.
     */
    async desk<T>(orgId: string, username: string, opts: CallOptions<T>): Promise<Outcome<T>> {
      const o = organisation(orgId);
      const u = userOf(o, username);
      const key = `${o.id}/${u.username}`;
      const go = async (authorization: string) =>
        person.call<T>(o.url, { ...opts, headers: { ...opts.headers, authorization } });
      return outcome(async () => {
        try {
          return await go(sessions.get(key) ?? (await login(o, u)));
        } catch (err) {
          if (err instanceof CallError && err.detail.problem?.code === 'FRONT_OFFICE_LOGIN_REQUIRED')
            return go(await login(o, u));
          throw err;
        }
      });
    },
    /** A call in the patient portal as the patient (the demo login: BSN and the test code). */
    async portal<T>(bsn: string, opts: CallOptions<T>): Promise<Outcome<T>> {
      const go = async (token: string) =>
        person.call<T>(options.lspUrl, { ...opts, headers: { ...opts.headers, authorization: `Bearer ${token}` } });
      const fresh = async () => {
        const r = await person.call<{ token: string }>(options.lspUrl, {
          method: 'POST',
          path: '/portal/login',
          body: { bsn, code: PORTAL_TEST_CODE },
        });
        portalSessions.set(bsn, r.body.token);
        return r.body.token;
      };
      return outcome(async () => {
        try {
          return await go(portalSessions.get(bsn) ?? (await fresh()));
        } catch (err) {
          if (err instanceof CallError && err.detail.problem?.code === 'PORTAL_LOGIN_REQUIRED')
            return go(await fresh());
          throw err;
        }
      });
    },
    newConversation: () => ({ initialRequestId: randomUUID() }),
    close: async () => {
      await Promise.all([operator.close(), person.close()]);
    },
  };
}
export type Upstream = ReturnType<typeof createUpstream>;
