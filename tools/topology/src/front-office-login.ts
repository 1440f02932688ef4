import { createServiceClient, type ServiceClient } from '@schakel/service-kit';
import { usersOf, type Topology } from './topology.js';

/** Where the organisations are and the root to trust: a running topology, or the CLI's view of one. */
export interface FrontOfficeTarget {
  topology: Topology;
  url: (orgId: string) => string;
  admin: { ca: string };
}

/**
 * Log in at an organisation's front office as one of the topology's test users (the first one, or the
 * one given by username or by the professional's UZI number), as a person at its desk would: HTTPS that
 * trusts the test root, no client certificate. The seed, the CLI and the cross-service tests use this,
 * so nobody has to copy a token by hand.
 */
export async function frontOfficeLogin(
  topology: FrontOfficeTarget,
  orgId: string,
  who: { username?: string; uziNumber?: string } = {},
): Promise<{ authorization: string; username: string }> {
  const org = topology.topology.organisations.find((o) => o.id === orgId);
  if (org === undefined) throw new Error(`No organisation ${orgId} in the topology`);
  const users = usersOf(org);
  const user =
    who.username !== undefined
      ? users.find((u) => u.username === who.username)
      : who.uziNumber !== undefined
        ? users.find((u) => u.professional.uziNumber === who.uziNumber)
        : users[0];
  if (user === undefined)
    throw new Error(
      `${orgId} has no front-office test user ${who.username ?? (who.uziNumber !== undefined ? `for professional ${who.uziNumber}` : '')} in the topology (its "users")`,
    );
  const client = createServiceClient({ timeoutMs: 10_000, tls: { ca: topology.admin.ca } });
  try {
    const { body } = await client.call<{ token: string }>(topology.url(orgId), {
      method: 'POST',
      path: '/front-office/login',
      body: { username: user.username, password: user.password },
    });
    return { authorization: `Bearer ${body.token}`, username: user.username };
  } finally {
    await client.close();
  }
}

/** A client for an organisation's front office, logged in as its first test user (or the one named). */
export async function frontOfficeClient(
  topology: FrontOfficeTarget,
  orgId: string,
  who: { username?: string; uziNumber?: string } = {},
): Promise<{ call: ServiceClient['call']; url: string; close: () => Promise<void> }> {
  const { authorization } = await frontOfficeLogin(topology, orgId, who);
  const client = createServiceClient({ timeoutMs: 10_000, tls: { ca: topology.admin.ca } });
  return {
    url: topology.url(orgId),
    call: ((url: string, opts: Parameters<ServiceClient['call']>[1]) =>
      client.call(url, { ...opts, headers: { authorization, ...opts.headers } })) as ServiceClient['call'],
    close: () => client.close(),
  };
}
