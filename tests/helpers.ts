import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request, setGlobalDispatcher } from 'undici';
import { startTopology, type RunningTopology, type StartOptions } from '@schakel/topology';

/** Plain HTTP as an outside client would do it, answering status, headers and parsed JSON. */
export async function http(
  url: string,
  options: {
    method?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const r = await request(url, {
    method: (options.method ?? (body === undefined ? 'GET' : 'POST')) as 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const text = await r.body.text();
  let json: any;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.statusCode, headers: r.headers, json, text };
}

/** The whole default topology as separate processes on ephemeral ports, with its stores in a temp folder. */
export async function startTestTopology(
  options: StartOptions = {},
): Promise<RunningTopology & { dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'schakel-test-'));
  const t = await startTopology({ ports: 'ephemeral', dataDir, logLevel: 'warn', ...options });
  // These tests act as the operator: HTTPS that trusts the test root, with the admin certificate.
  setGlobalDispatcher(new Agent({ connect: { ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key } }));
  return Object.assign(t, {
    dataDir,
    cleanup: async () => {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export const COVERING_GP = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. H. de Wit' };

export function dispense(name: string, dispensedOn = '2026-11-01') {
  return {
    product: { name, atc: 'C07AB02', gpk: '68756', zi: '14212595', strength: '47,5 mg' },
    amount: { value: 30, unit: 'stuk' },
    dosageInstruction: `1 maal per dag 1 tablet (${name})`,
    dispensedOn,
    prescriber: { name: 'Dr. A. Bakker', agb: '01012345' },
  };
}
