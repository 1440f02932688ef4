import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUNDLE_DIR, REPO_ROOT, loadTopology } from '@schakel/topology';

import { http, startTestTopology } from './helpers.js';

interface ComposeService {
  command: string[];
  environment: Record<string, string>;
  ports: string[];
  depends_on: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const run = promisify(execFile);
const TSX = ['--conditions=@schakel/source', '--import', 'tsx'];
const topology = loadTopology();

function composePluginAvailable(): boolean {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('docker-compose.yml', () => {
  it('has one container per organisation of the default topology, with the same identity, port and certificates', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['pki', 'seed', topology.switchPoint.id, ...topology.organisations.map((o) => o.id)].sort(),
    );
    expect(compose.services['pki']?.command).toEqual([
      ...TSX,
      'tools/topology/src/cli.ts',
      'pki',
      '--data-dir',
      '/data',
    ]);
    expect(compose.services[topology.switchPoint.id]?.environment).toMatchObject({
      TLS_CERT_FILE: `/data/pki/systems/${topology.switchPoint.id}.cert.pem`,
      CARD_CA_FILE: '/data/pki/card-ca.pem',
    });
    for (const o of topology.organisations) {
      const s = compose.services[o.id];
      // The bundle `npm start` runs, which the image builds at the same path (Dockerfile).
      expect(s?.command, o.id).toEqual([relative(REPO_ROOT, join(BUNDLE_DIR, `${o.service}.mjs`))]);
      expect(s?.depends_on[topology.switchPoint.id], o.id).toEqual({ condition: 'service_healthy' });
      expect(s?.healthcheck?.test, o.id).toEqual(compose.services[topology.switchPoint.id]?.healthcheck?.test);
      expect(s?.environment, o.id).toMatchObject({
        ORG_URA: o.ura,
        APPLICATION_ID: o.applicationId,
        PORT: String(o.port),
        ORG_NAME: o.name,
        LSP_URL: `https://${topology.switchPoint.id}:${topology.switchPoint.port}`,
        TLS_CERT_FILE: `/data/pki/systems/${o.id}.cert.pem`,
        CREDENTIALS_DIR: `/data/pki/professionals/${o.ura}`,
        FRONT_OFFICE_USERS_FILE: `/data/pki/front-office/${o.id}.users.json`,
      });
      expect(s?.ports).toEqual([`${o.port}:${o.port}`]);
    }
    const seed = compose.services['seed'];
    expect(seed?.command).toEqual([...TSX, 'tools/topology/src/cli.ts', 'seed', '--by-name', '--data-dir', '/data']);
    expect(Object.keys(seed?.depends_on ?? {}).sort()).toEqual(topology.organisations.map((o) => o.id).sort());
    expect(Object.values(seed?.depends_on ?? {})).toEqual(
      topology.organisations.map(() => ({ condition: 'service_healthy' })),
    );
  });

  it('is accepted by `docker compose config` where the compose plugin is installed', (ctx) => {
    if (!composePluginAvailable()) {
      console.log(
        'skipped: the docker compose plugin is not installed on this machine (no Docker engine here either); the structure test above still runs',
      );
      ctx.skip();
      return;
    }
    execFileSync('docker', ['compose', '-f', join(REPO_ROOT, 'docker-compose.yml'), 'config', '-q'], { stdio: 'pipe' });
  });
});

/**
 * No container engine runs here, so what the containers run is run against local processes: the compose
 * file's health check against a real service, and the one-shot seed against a running topology.
 */
describe('what the containers run, against local processes', () => {
  let t: Awaited<ReturnType<typeof startTestTopology>>;
  beforeAll(async () => {
    t = await startTestTopology();
  });
  afterAll(async () => t?.cleanup());

  it('the health check passes on a ready service and fails where nothing listens', async () => {
    const [, , flag, script] = compose.services['lsp']?.healthcheck?.test ?? [];
    expect(flag).toBe('-e');
    const check = (port: string) =>
      run(process.execPath, ['-e', script ?? ''], {
        env: { ...process.env, PORT: port, TLS_CA_FILE: join(t.dataDir, 'pki', 'root-ca.pem') },
      }).then(
        () => 0,
        (err: unknown) => (err as { code?: number }).code ?? -1,
      );
    expect(await check(new URL(t.url('apotheek-zuid')).port)).toBe(0);
    expect(await check(new URL(t.switchPoint.url).port)).toBe(0);
    await t.stop('apotheek-zuid');
    expect(await check(new URL(t.url('apotheek-zuid')).port)).toBe(1);
    await t.restart('apotheek-zuid');
  });

  it('the seed verb puts the demo patients into a running topology, once', async () => {
    const file = join(t.dataDir, 'topology.json');
    const withPorts = {
      ...t.topology,
      organisations: t.topology.organisations.map((o) => ({ ...o, port: Number(new URL(t.url(o.id)).port) })),
    };
    writeFileSync(file, JSON.stringify(withPorts));
    const seed = () =>
      run(
        process.execPath,
        [...TSX, 'tools/topology/src/cli.ts', 'seed', '--topology', file, '--data-dir', t.dataDir],
        {
          cwd: REPO_ROOT,
        },
      );
    expect((await seed()).stdout).toContain('Seeded the demo patients.');
    const { authorization } = await t.frontOffice('apotheek-de-vijzel');
    const jan = await http(`${t.url('apotheek-de-vijzel')}/patients/999900146`, { headers: { authorization } });
    expect(jan.status).toBe(200);
    expect((await seed()).stdout).toContain('The demo patients were already there.');
  });
});
