import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError } from '@schakel/service-kit';
import { startSwitchPoint, type TestSwitchPoint } from './helpers.js';

describe('process control without a launcher', () => {
  let sp: TestSwitchPoint;
  beforeAll(async () => {
    sp = await startSwitchPoint();
  });
  afterAll(async () => sp?.close());

  it('answers NO_LAUNCHER (409) to the operator when nothing started the switch point', async () => {
    const err = await sp.admin.lsp.processes().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CallError);
    expect((err as CallError).detail.problem).toMatchObject({ status: 409, code: 'NO_LAUNCHER' });
  });

  it('answers NOT_RECORDING (409) to a stop when no recording runs', async () => {
    const err = await sp.admin.lsp.stopRecording().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as CallError).detail.problem).toMatchObject({ status: 409, code: 'NOT_RECORDING' });
  });

  it('refuses a connected system: control is the operator’s', async () => {
    const err = await sp.hap.lsp.controlProcess('gp-1', 'stop').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as CallError).detail.problem).toMatchObject({ status: 403 });
  });
});
