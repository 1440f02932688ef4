import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError } from '@schakel/service-kit';
import { REPO_ROOT, loadTopology, operatorClient } from '@schakel/topology';
import { http, startTestTopology } from './helpers.js';

const run = promisify(execFile);

/**
 * The operator's process control (issue #14): through the switch point, with the admin certificate, the
 * launcher stops, starts, restarts, pauses and resumes one organisation; the CLI verbs do the same.
 */
describe('process control through the switch point', () => {
  const full = loadTopology();
  const [a, b] = full.organisations.filter((o) => o.service === 'pharmacy').map((o) => o.id) as [string, string];
  let t: Awaited<ReturnType<typeof startTestTopology>>;
  let lsp: Awaited<ReturnType<typeof operatorClient>>;
  const stateOf = async (id: string) => (await lsp.processes()).find((p) => p.id === id)?.state;
  const problemOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CallError);
    return (err as CallError).detail.problem;
  };

  beforeAll(async () => {
    t = await startTestTopology({
      topology: { ...full, organisations: full.organisations.filter((o) => o.id === a || o.id === b) },
    });
    lsp = await operatorClient(join(t.dataDir, 'pki'), t.switchPoint.url);
  }, 60_000);
  afterAll(async () => {
    await lsp?.close();
    await t?.cleanup();
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
    const url = t.url(a);
    await lsp.controlProcess(a, 'stop');
    expect(await stateOf(a)).toBe('stopped');
    await expect(http(`${url}/ready`)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 700));
    expect(await stateOf(a)).toBe('stopped');
    await lsp.controlProcess(a, 'start');
    expect(await stateOf(a)).toBe('running');
    expect(t.url(a)).toBe(url);
    expect((await http(`${url}/ready`)).status).toBe(200);
  }, 30_000);

  it('restarts one organisation as a new process', async () => {
    const before = t.get(b).child?.pid;
    const after = (await lsp.controlProcess(b, 'restart')).find((p) => p.id === b);
    expect(after?.state).toBe('running');
    expect(after?.pid).not.toBe(before);
  }, 30_000);

  it('pauses one organisation so that it answers nothing, and resumes it', async () => {
    await lsp.controlProcess(a, 'pause');
    expect(await stateOf(a)).toBe('paused');
    // A frozen process accepts nothing: the request gets no answer before we give up.
    await expect(http(`${t.url(a)}/ready`, { signal: AbortSignal.timeout(500) })).rejects.toThrow();
    await lsp.controlProcess(a, 'resume');
    expect(await stateOf(a)).toBe('running');
    expect((await http(`${t.url(a)}/ready`)).status).toBe(200);
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
    const bad = await http(`${t.switchPoint.url}/control/processes/${a}/explode`, { method: 'POST' });
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
          t.switchPoint.url,
          '--data-dir',
          t.dataDir,
        ],
        { cwd: REPO_ROOT },
      );
    const listed = await cli('processes');
    expect(listed.stdout).toMatch(new RegExp(`${a}\\s+running`));
    const before = t.get(b).child?.pid;
    const restarted = await cli('restart', b);
    expect(restarted.stdout).toMatch(new RegExp(`${b}\\s+running`));
    expect(t.get(b).child?.pid).not.toBe(before);
    const refused = await cli('stop', 'no-such-org').then(
      () => undefined,
      (e: unknown) => e as { code?: number; stderr?: string },
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/no-such-org/);
  }, 60_000);
});
