import type { Topology } from '@schakel/topology';
import { httpCaller, type Answer } from './http.js';

/**
 * The one place where the testkit and the scenario runner speak to an organisation's front office (the
 * HAP's /consults, a pharmacy's /patients, a GP's /inbox): plain HTTPS that trusts the test root, as a
 * person at the desk would. Where the topology gives an organisation local test users ("users": username,
 * password, uziNumber), it logs in first with POST /front-office/login and sends the session as
 * `authorization: Bearer <token>`, choosing the user whose professional is the one acting; without
 * users it sends no credentials.
 */
export interface FrontOfficeTarget {
  topology: Topology;
  urls: Record<string, string>;
  /** The root to trust (PEM). */
  ca: string;
}

/** Who acts at the desk: a professional by UZI number, or a local user by name (default: the first user). */
export interface Acting {
  uziNumber?: string;
  username?: string;
}

/** A topology's front-office test user: the professional (of that organisation) the user is. */
interface TestUser {
  username: string;
  password: string;
  uziNumber: string;
}

export function frontOffices(target: FrontOfficeTarget) {
  const http = httpCaller({ ca: target.ca });
  const sessions = new Map<string, string>();
  const urlOf = (orgId: string) => {
    const url = target.urls[orgId];
    if (url === undefined) throw new Error(`No organisation ${orgId} in this Schakel`);
    return url;
  };
  // The topology's test users; an organisation without them needs no login.
  const usersOf = (orgId: string): TestUser[] => target.topology.organisations.find((o) => o.id === orgId)?.users ?? [];
  async function login(orgId: string, who: Acting): Promise<string | undefined> {
    const users = usersOf(orgId);
    if (users.length === 0) return undefined;
    const user =
      who.username !== undefined
        ? users.find((u) => u.username === who.username)
        : who.uziNumber !== undefined
          ? users.find((u) => u.uziNumber === who.uziNumber)
          : users[0];
    if (user === undefined)
      throw new Error(
        `${orgId} has no front-office test user ${who.username ?? `for professional ${who.uziNumber ?? ''}`} in the topology (its "users")`,
      );
    const key = `${orgId}/${user.username}`;
    const known = sessions.get(key);
    if (known !== undefined) return known;
    const r = await http.call('POST', `${urlOf(orgId)}/front-office/login`, {
      body: { username: user.username, password: user.password },
    });
    if (r.status !== 200 || typeof r.json?.token !== 'string')
      throw new Error(`Front-office login at ${orgId} as ${user.username} failed: ${r.status} ${r.text}`);
    const authorization = `Bearer ${r.json.token as string}`;
    sessions.set(key, authorization);
    return authorization;
  }

  return {
    /** One front-office call at `orgId` (path from the root, e.g. /consults); never throws on 4xx/5xx. */
    async call(orgId: string, method: string, path: string, body?: unknown, who: Acting = {}): Promise<Answer> {
      const send = async () => {
        const authorization = await login(orgId, who);
        return http.call(method, `${urlOf(orgId)}${path}`, {
          ...(body !== undefined ? { body } : {}),
          ...(authorization !== undefined ? { headers: { authorization } } : {}),
        });
      };
      const answer = await send();
      // A session lost with a restart or a restore: log in once more.
      if (answer.json?.code === 'FRONT_OFFICE_LOGIN_REQUIRED' && sessions.size > 0) {
        sessions.clear();
        return send();
      }
      return answer;
    },
    close: () => http.close(),
  };
}
export type FrontOffices = ReturnType<typeof frontOffices>;
