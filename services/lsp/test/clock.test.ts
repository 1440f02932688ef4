import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError } from '@schakel/service-kit';
import { now } from '@schakel/contracts';
import { startSwitchPoint, type TestSwitchPoint } from './helpers.js';

// The operator's clock on a switch point without a launcher (in-process): it sets this process's clock,
// which every app in the process shares. Across processes: tests/clock.test.ts.
describe('the clock without a launcher', () => {
  let sp: TestSwitchPoint;
  beforeAll(async () => {
    sp = await startSwitchPoint();
  });
  afterAll(async () => {
    await sp?.admin.lsp.resetClock();
    await sp?.close();
  });

  it('freezes the process’s own clock, shows it in /health, and goes back to real time', async () => {
    const frozen = '2027-01-01T09:00:00.000Z';
    expect(await sp.admin.lsp.setClock({ at: '2027-01-01T10:00:00+01:00', frozen: true })).toEqual({
      now: frozen,
      setting: { mode: 'frozen', at: frozen },
    });
    expect(now().toISOString()).toBe(frozen);
    expect((await sp.admin.http('GET', '/health')).json).toMatchObject({ status: 'ok', now: frozen });
    const real = await sp.admin.lsp.resetClock();
    expect(real.setting).toEqual({ mode: 'real' });
    expect(Math.abs(Date.parse(real.now) - Date.now())).toBeLessThan(5_000);
  });

  it('refuses a connected system: the clock is the operator’s', async () => {
    const err = await sp.hap.lsp.setClock({ offset: 'P1D' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CallError);
    expect((err as CallError).detail.problem).toMatchObject({ status: 403 });
    expect((await sp.admin.lsp.clock()).setting).toEqual({ mode: 'real' });
  });
});
