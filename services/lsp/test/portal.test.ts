import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';

// The portal's login stands in for DigiD: guessing the code must be slow, and a session must end.
let sp: InProcessSwitchPoint;
beforeAll(async () => {
  sp = await startSwitchPointInProcess();
});
afterAll(async () => sp.close());

const login = (bsn: string, code: string, headers: Record<string, string> = {}) =>
  sp.anonymous().http('POST', '/portal/login', { bsn, code }, headers);

describe('POST /portal/login', () => {
  it('issues a session with iat and jti that logout ends', async () => {
    const bsn = freshBsn();
    const r = await login(bsn, '123456');
    expect(r.status).toBe(200);
    const claims = decodeJwt(r.json.token);
    expect(claims.iat).toBeTypeOf('number');
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const auth = { authorization: `Bearer ${r.json.token}` };
    expect((await sp.anonymous().http('GET', '/portal/profile', undefined, auth)).status).toBe(200);
    expect((await sp.anonymous().http('POST', '/portal/logout', undefined, auth)).status).toBe(204);
    const after = await sp.anonymous().http('GET', '/portal/profile', undefined, auth);
    expect(after.status).toBe(401);
    expect(after.json.code).toBe('PORTAL_LOGIN_REQUIRED');
  });
  it('answers 429 TOO_MANY_ATTEMPTS with Retry-After after five wrong codes for one BSN, even with the right code', async () => {
    const bsn = freshBsn();
    for (let i = 0; i < 5; i++) expect((await login(bsn, 'wrong')).json.code).toBe('PORTAL_LOGIN_FAILED');
    const blocked = await sp.anonymous().http('POST', '/portal/login', { bsn, code: '123456' });
    expect(blocked.status).toBe(429);
    expect(blocked.json.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another patient is not blocked by this one's attempts.
    expect((await login(freshBsn(), '123456')).status).toBe(200);
  });

  it('limits failures per client address across BSNs too', async () => {
    let last = 0;
    for (let i = 0; i < 25 && last !== 429; i++) last = (await login(freshBsn(), 'wrong')).status;
    expect(last).toBe(429);
  });
});
