import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallError } from '@schakel/service-kit';
import { freshBsn, loadTopology, operatorClient } from '@schakel/topology';
import { http, startTestTopology } from './helpers.js';
import { ON_POSTGRES } from './postgres/database.js';

/**
 * Snapshots (issue #14): every store saved at once while writes go on, and put back with everything
 * restarted, the switch point too. They copy SQLite files: with the stores in PostgreSQL (npm run
 * test:postgres) they are refused, which the last test shows (docs/deployment.md).
 */
describe('snapshots of the running topology', () => {
  const full = loadTopology();
  const [a, b] = full.organisations.filter((o) => o.service === 'pharmacy').map((o) => o.id) as [string, string];
  let t: Awaited<ReturnType<typeof startTestTopology>>;
  let lsp: Awaited<ReturnType<typeof operatorClient>>;

  beforeAll(async () => {
    t = await startTestTopology({
      topology: { ...full, organisations: full.organisations.filter((o) => o.id === a || o.id === b) },
    });
    lsp = await operatorClient(join(t.dataDir, 'pki'), t.switchPoint.url);
  });
  afterAll(async () => {
    await lsp?.close();
    await t?.cleanup();
  });

  const putPatient = async (bsn: string) =>
    (await http(`${t.url(a)}/patients/${bsn}`, { method: 'PUT', body: { name: 'Test', birthDate: '1970-01-01' } }))
      .status;
  const exists = async (bsn: string) => (await http(`${t.url(a)}/patients/${bsn}`)).status === 200;

  it.skipIf(ON_POSTGRES)(
    'saves a consistent picture while writes go on, loses none of them, and restores exactly it',
    async () => {
      const acked: { bsn: string; at: number }[] = [];
      let writing = true;
      const writer = (async () => {
        while (writing) {
          const bsn = freshBsn();
          if ((await putPatient(bsn)) === 201) acked.push({ bsn, at: performance.now() });
        }
      })();
      // Writes acknowledged before the snapshot and after it, however slow the machine: wait for them, not for a time.
      const until = async (done: () => boolean) => {
        while (!done()) await new Promise((r) => setTimeout(r, 20));
      };
      await until(() => acked.length >= 3);
      const asked = performance.now();
      const saved = await lsp.saveSnapshot('mid-write');
      const answered = performance.now();
      await until(() => acked.filter((w) => w.at > answered).length >= 3);
      writing = false;
      await writer;
      // Every store file: the switch point's own and its NVI's (issue #17), and each pharmacy's.
      expect(saved.files.map((f) => basename(f)).sort()).toEqual(
        [`${a}.sqlite`, `${b}.sqlite`, 'lsp-nvi.sqlite', 'lsp.sqlite'].sort(),
      );

      // Nothing written while the snapshot ran was lost from the running store.
      for (const w of acked) expect(await exists(w.bsn)).toBe(true);

      expect((await lsp.restoreSnapshot('mid-write')).restoring).toBe(true);
      await waitUntilRunning();
      const before = acked.filter((w) => w.at < asked);
      const after = acked.filter((w) => w.at > answered);
      expect(before.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      for (const w of before) expect(await exists(w.bsn), `${w.bsn} acknowledged before the snapshot`).toBe(true);
      for (const w of after) expect(await exists(w.bsn), `${w.bsn} acknowledged after the snapshot`).toBe(false);
    },
    90_000,
  );

  it.skipIf(ON_POSTGRES)('lists snapshots and refuses to restore one that does not exist', async () => {
    const r = await http(`${t.switchPoint.url}/control/snapshots`);
    expect(r.json.names).toContain('mid-write');
    const err = await lsp.restoreSnapshot('no-such-snapshot').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as CallError).detail.problem).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it.runIf(ON_POSTGRES)(
    'refuses to save or restore one with the stores in PostgreSQL: 409 SNAPSHOTS_UNSUPPORTED',
    async () => {
      const refused = async (p: Promise<unknown>) =>
        (
          (await p.then(
            () => undefined,
            (e: unknown) => e,
          )) as CallError
        ).detail.problem;
      expect(await refused(lsp.saveSnapshot('on-postgres'))).toMatchObject({
        status: 409,
        code: 'SNAPSHOTS_UNSUPPORTED',
      });
      expect(await refused(lsp.restoreSnapshot('on-postgres'))).toMatchObject({
        status: 409,
        code: 'SNAPSHOTS_UNSUPPORTED',
      });
      const list = await http(`${t.switchPoint.url}/control/snapshots`);
      expect(list.status).toBe(200);
      expect(list.json.names).toEqual([]);
      // Nothing was stopped for it: the topology goes on serving.
      const bsn = freshBsn();
      expect(await putPatient(bsn)).toBe(201);
      expect(await exists(bsn)).toBe(true);
    },
  );

  /** The switch point itself restarts during a restore: poll until it and every organisation run again. */
  async function waitUntilRunning() {
    const until = Date.now() + 60_000;
    await new Promise((r) => setTimeout(r, 500));
    for (;;) {
      try {
        const processes = await lsp.processes();
        if (processes.every((p) => p.state === 'running')) {
          const ready = await Promise.all(processes.map(async (p) => (await http(`${p.url}/ready`)).status));
          if (ready.every((s) => s === 200)) return;
        }
      } catch {
        // the switch point is on its way back
      }
      if (Date.now() > until) throw new Error('the topology did not come back from the restore');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
});
