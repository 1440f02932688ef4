import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopology, type Topology } from '@schakel/topology';
import { frontOffices, withProfessionals } from '@schakel/testkit';

/**
 * The one module that enters front offices: with the topology's test users it logs in (POST
 * /front-office/login) as the acting professional's user and sends the session; without users, nothing.
 */
const seen: { url: string; authorization?: string }[] = [];
let server: Server;
let url: string;
const body = async (r: IncomingMessage) => {
  let text = '';
  for await (const chunk of r) text += String(chunk);
  return text.length > 0 ? JSON.parse(text) : undefined;
};
beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const json = await body(req);
      seen.push({
        url: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/front-office/login') {
        const ok = json?.password === `${json?.username}-test`;
        res.statusCode = ok ? 200 : 401;
        res.end(JSON.stringify(ok ? { token: `t-${json.username}` } : { code: 'FRONT_OFFICE_LOGIN_FAILED' }));
      } else res.end(JSON.stringify({ ok: true }));
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** The default topology with these front-office users at the HAP (and none elsewhere). */
const withUsers = (users: { username: string; password: string; uziNumber: string }[]): Topology => {
  const t = loadTopology();
  for (const o of t.organisations) o.users = o.id === 'hap-midden' ? users : [];
  return t;
};

describe('frontOffices', () => {
  it('logs in as the user of the acting professional, once, and sends the session', async () => {
    const topology = withUsers([
      { username: 'hdewit', password: 'hdewit-test', uziNumber: '900000001' },
      { username: 'rpeters', password: 'rpeters-test', uziNumber: '900000002' },
    ]);
    const offices = frontOffices({ topology, urls: { 'hap-midden': url }, ca: '' });
    seen.length = 0;
    await offices.call('hap-midden', 'POST', '/consults', {}, { uziNumber: '900000002' });
    await offices.call('hap-midden', 'GET', '/consults/1', undefined, { uziNumber: '900000002' });
    await offices.call('hap-midden', 'GET', '/reports');
    expect(seen).toEqual([
      { url: '/front-office/login' },
      { url: '/consults', authorization: 'Bearer t-rpeters' },
      { url: '/consults/1', authorization: 'Bearer t-rpeters' },
      { url: '/front-office/login' },
      { url: '/reports', authorization: 'Bearer t-hdewit' },
    ]);
    await expect(offices.call('hap-midden', 'GET', '/x', undefined, { uziNumber: '900000099' })).rejects.toThrow(
      /no front-office test user for professional 900000099/,
    );
    await offices.close();
  });

  it('sends no credentials where the topology has no users', async () => {
    const offices = frontOffices({ topology: withUsers([]), urls: { 'hap-midden': url }, ca: '' });
    seen.length = 0;
    await offices.call('hap-midden', 'GET', '/consults/1', undefined, { uziNumber: '900000001' });
    expect(seen).toEqual([{ url: '/consults/1' }]);
    await offices.close();
  });
});

describe('withProfessionals', () => {
  const scenario = (at: string) =>
    ({
      file: 'x.yaml',
      scenario: { given: { professionals: [{ at, uziNumber: '900000048', roleCode: '01.048', name: 'Dr. V.' }] } },
    }) as never;
  it('adds the professionals scenarios need, with a test user where the front office has users', () => {
    const plain = withProfessionals(withUsers([]), [scenario('hap-midden')]);
    const hap = plain.organisations.find((o) => o.id === 'hap-midden');
    expect(hap?.professionals.at(-1)).toEqual({ uziNumber: '900000048', roleCode: '01.048', name: 'Dr. V.' });
    expect(hap?.users).toEqual([]);
    const withLogin = withProfessionals(loadTopology(), [scenario('hap-midden'), scenario('hap-midden')]);
    const users = withLogin.organisations.find((o) => o.id === 'hap-midden')?.users;
    expect(users?.at(-1)).toEqual({ username: 'u900000048', password: 'u900000048-test', uziNumber: '900000048' });
    expect(users?.filter((u) => u.uziNumber === '900000048')).toHaveLength(1);
    expect(loadTopology().organisations.find((o) => o.id === 'hap-midden')?.professionals).not.toContainEqual(
      expect.objectContaining({ uziNumber: '900000048' }),
    );
  });
});
