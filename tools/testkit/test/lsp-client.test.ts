import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SYSTEM } from '@schakel/topology';
import type { SystemSubject } from '@schakel/trust';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { lspClient, type LspClient } from '@schakel/testkit';
import { LSP_API_FILE, lspApiSource, switchPointDocument } from '../scripts/lsp-api.js';

describe('tools/testkit/src/lsp-api.ts', () => {
  it('is what `npm run openapi:types` writes from the switch point’s document as it is served now', async () => {
    // Stale types after a route changed: run `npm run openapi:types` and commit the result.
    expect(readFileSync(LSP_API_FILE, 'utf8')).toBe(await lspApiSource(await switchPointDocument()));
  }, 60_000);
});

describe('lspClient, the typed client of the switch point', () => {
  let sp: InProcessSwitchPoint;
  let operator: LspClient;
  let system: LspClient;
  /** A system's PEM files as npm start writes them (data/pki/systems/<id>.{cert,key}.pem, data/pki/root-ca.pem). */
  const files = async (subject: SystemSubject) => {
    const { certFile, keyFile } = await sp.pki.ensureSystem(subject);
    return { cert: certFile, key: keyFile, ca: sp.pki.files.root };
  };
  beforeAll(async () => {
    sp = await startSwitchPointInProcess();
    operator = lspClient({ baseUrl: sp.url, ...(await files(ADMIN_SYSTEM)) });
    system = lspClient({
      baseUrl: sp.url,
      ...(await files({ id: 'apotheek-test', name: 'Apotheek Test', ura: '02000009', applicationId: '200009' })),
    });
  });
  afterAll(async () => {
    await operator?.close();
    await system?.close();
    await sp.close();
  });

  it('reads as the operator over mutual TLS, with typed answers', async () => {
    const { data, error, response } = await operator.GET('/admin/policies');
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(typeof data?.coronaOptIn).toBe('boolean');
    const lookup = await operator.GET('/reference-index/{bsn}', { params: { path: { bsn: '999900146' } } });
    expect(lookup.data?.entries).toEqual([]);
  });

  it('gives the problem+json of a refusal as a typed error', async () => {
    const { data, error, response } = await operator.GET('/control/processes');
    expect(data).toBeUndefined();
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(error?.code).toBe('NO_LAUNCHER');
  });

  it('is refused an operator route with a connected system’s certificate', async () => {
    const { error, response } = await system.GET('/admin/policies');
    expect(response.status).toBe(403);
    expect(error?.code).toBe('CLIENT_NOT_ALLOWED');
  });
});
