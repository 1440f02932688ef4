import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError } from '@schakel/service-kit';
import { REPO_ROOT, loadTopology } from '@schakel/topology';
import { httpCaller, startSchakel, type HttpCaller, type Schakel } from '@schakel/testkit';

const run = promisify(execFile);

/**
 * The operator's process control (issue #14): through the switch point, with the admin certificate, the
 * launcher stops, starts, restarts, pauses and resumes one organisation; the CLI verbs do the same.
 * Started with @schakel/testkit, as an integrator's own tests would.
 */
describe('process control through the switch point', () => {
  const full = loadTopology();
  const [a, b] = full.organisations.filter((o) => o.service === 'pharmacy').map((o) => o.id) as [string, string];
  let schakel: Schakel;
  let admin: HttpCaller;
  const lsp = {
    processes: () => schakel.control.processes(),
    controlProcess: (id: string, action: 'stop' | 'start' | 'restart' | 'pause' | 'resume') =>
      schakel.control[action](id),
  };
  const infoOf = async (id: string) => (await lsp.processes()).find((p) => p.id === id);
  const stateOf = async (id: string) => (await infoOf(id))?.state;
  const http = (url: string, options: { method?: string; signal?: AbortSignal } = {}) =>
    admin.call(options.method ?? 'GET', url, options.signal !== undefined ? { signal: options.signal } : {});
  const problemOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CallError);
    return (err as CallError).detail.problem;
  };

  beforeAll(async () => {
    schakel = await startSchakel({
      topology: { ...full, organisations: full.organisations.filter((o) => o.id === a || o.id === b) },
      seed: false,
    });
    const pem = (file: string) => readFileSync(file, 'utf8');
    admin = httpCaller({
      ca: pem(schakel.pki.rootCa),
      cert: pem(schakel.pki.admin.cert),
      key: pem(schakel.pki.admin.key),
    });
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
    await schakel?.stop();
  });

  it('lists every process with its state', async () => {
    const processes = await lsp.processes();
    expect(processes.map((p) => [p.id, p.state])).toEqual([
      [full.switchPoint.id, 'running'],
      [a, 'running'],
      [b, 'running'],
    ]);
    expect(processes.every((p) => typeof p.pid === 'number' && p.url.startsWith('https://'))).toBe(true);
  });

  it('stops one organisation (and the supervisor leaves it down), then starts it on the same URL', async () => {
    const url = schakel.urls[a] as string;
    await lsp.controlProcess(a, 'stop');
    expect(await stateOf(a)).toBe('stopped');
    await expect(http(`${url}/ready`)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 700));
    expect(await stateOf(a)).toBe('stopped');
    await lsp.controlProcess(a, 'start');
    expect(await stateOf(a)).toBe('running');
    expect((await infoOf(a))?.url).toBe(url);
    expect((await http(`${url}/ready`)).status).toBe(200);
  }, 30_000);

  it('restarts one organisation as a new process', async () => {
    const before = (await infoOf(b))?.pid;
    const after = (await lsp.controlProcess(b, 'restart')).find((p) => p.id === b);
    expect(after?.state).toBe('running');
    expect(after?.pid).not.toBe(before);
  }, 30_000);

  it('pauses one organisation so that it answers nothing, and resumes it', async () => {
    await lsp.controlProcess(a, 'pause');
    expect(await stateOf(a)).toBe('paused');
    // A frozen process accepts nothing: the request gets no answer before we give up.
    await expect(http(`${schakel.urls[a]}/ready`, { signal: AbortSignal.timeout(500) })).rejects.toThrow();
    await lsp.controlProcess(a, 'resume');
    expect(await stateOf(a)).toBe('running');
    expect((await http(`${schakel.urls[a]}/ready`)).status).toBe(200);
  }, 30_000);

  it('answers problem+json for an unknown organisation, the switch point itself and an unknown action', async () => {
    expect(await problemOf(lsp.controlProcess('no-such-org', 'stop'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(await problemOf(lsp.controlProcess(full.switchPoint.id, 'stop'))).toMatchObject({
      status: 409,
      code: 'CONFLICT',
    });
    const bad = await http(`${schakel.switchPoint}/control/processes/${a}/explode`, { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await stateOf(full.switchPoint.id)).toBe('running');
  });

  it('is what the CLI verbs do: processes and restart', async () => {
    const cli = (...args: string[]) =>
      run(
        process.execPath,
        [
          '--conditions=@schakel/source',
          '--import',
          'tsx',
          'tools/topology/src/cli.ts',
          ...args,
          '--lsp-url',
          schakel.switchPoint,
          '--data-dir',
          schakel.dataDir,
        ],
        { cwd: REPO_ROOT },
      );
    const listed = await cli('processes');
    expect(listed.stdout).toMatch(new RegExp(`${a}\\s+running`));
    const before = (await infoOf(b))?.pid;
    const restarted = await cli('restart', b);
    expect(restarted.stdout).toMatch(new RegExp(`${b}\\s+running`));
    expect((await infoOf(b))?.pid).not.toBe(before);
    const refused = await cli('stop', 'no-such-org').then(
      () => undefined,
      (e: unknown) => e as { code?: number; stderr?: string },
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/no-such-org/);
  }, 60_000);
});
