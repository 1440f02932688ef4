import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopology, type SupervisorEvent } from '@schakel/topology';
import { http, startTestTopology } from './helpers.js';

/**
 * The launcher supervises its children (issue #14): an organisation that dies without being asked to is
 * started again on the same port with the same store; one stopped through the handle stays down.
 */
describe('the launcher as a supervisor', () => {
  const full = loadTopology();
  const pharmacies = full.organisations.filter((o) => o.service === 'pharmacy').slice(0, 2);
  const events: SupervisorEvent[] = [];
  let t: Awaited<ReturnType<typeof startTestTopology>>;
  const [crashing, stopped] = pharmacies.map((o) => o.id) as [string, string];

  beforeAll(async () => {
    t = await startTestTopology({
      topology: { ...full, organisations: pharmacies },
      supervise: { maxBackoffMs: 1_000 },
      onEvent: (e) => events.push(e),
    });
  });
  afterAll(async () => t?.cleanup());

  const waitFor = async (what: () => boolean, ms = 20_000) => {
    const until = Date.now() + ms;
    while (!what()) {
      if (Date.now() > until) throw new Error(`waited ${ms} ms; events: ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('restarts an organisation killed from outside (kill -9), on the same URL, and says so', async () => {
    const before = t.get(crashing);
    const pid = before.child?.pid;
    const url = before.url;
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGKILL');
    await waitFor(() => events.some((e) => e.type === 'restarted' && e.id === crashing));
    expect(events.find((e) => e.type === 'crashed' && e.id === crashing)).toMatchObject({
      signal: 'SIGKILL',
      restartInMs: 250,
    });
    expect(t.get(crashing).restarts).toBe(1);
    expect(t.get(crashing).child?.pid).not.toBe(pid);
    expect(t.url(crashing)).toBe(url);
    expect((await http(`${url}/ready`)).status).toBe(200);
  }, 30_000);

  it('waits longer each time an organisation keeps crashing', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      const seen = events.filter((e) => e.type === 'restarted' && e.id === crashing).length;
      process.kill(t.get(crashing).child?.pid as number, 'SIGKILL');
      await waitFor(() => events.filter((e) => e.type === 'restarted' && e.id === crashing).length > seen);
    }
    for (const e of events) if (e.type === 'crashed' && e.id === crashing) delays.push(e.restartInMs);
    expect(delays).toEqual([250, 500, 1_000]);
  }, 30_000);

  it('leaves an organisation stopped through the handle down', async () => {
    await t.stop(stopped, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(t.get(stopped).child).toBeUndefined();
    expect(events.some((e) => e.id === stopped)).toBe(false);
    await t.restart(stopped);
    expect((await http(`${t.url(stopped)}/ready`)).status).toBe(200);
  }, 30_000);
});
