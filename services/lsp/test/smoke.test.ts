import { describe, expect, it } from 'vitest';
import { openStore } from '@schakel/service-kit';
import { buildApp, migrations, type LspDatabase } from '../src/index.js';

describe('smoke', () => {
  it('serves openapi', async () => {
    const db = await openStore<LspDatabase>({ database: ':memory:', migrations });
    const app = await buildApp({ SOURCE_TIMEOUT_MS: 1000, LOG_LEVEL: 'error' }, { db });
    const r = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    const bad = await app.inject({ method: 'PUT', url: '/reference-index/123456789/MEDVERSTREKKING/1' });
    console.log(bad.statusCode, bad.headers['content-type'], bad.body);
    const bad2 = await app.inject({ method: 'POST', url: '/queries/medication', payload: '{"bsn": 12', headers: { 'content-type': 'application/json' } });
    console.log(bad2.statusCode, bad2.body);
    const bad3 = await app.inject({ method: 'POST', url: '/queries/medication', payload: { bsn: '999900146', requester: { applicationId: '1', professional: { uziNumber: '1', roleCode: 'x' } }, extra: 1 } });
    console.log(bad3.statusCode, bad3.body);
    const bad4 = await app.inject({ method: 'GET', url: '/health', headers: { 'aorta-id': 'nope' } });
    console.log(bad4.statusCode, bad4.body);
    await app.close();
  });
});
