import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchakelContainer, frontOffices, type Schakel } from '@schakel/testkit';

/**
 * The Testcontainers module (issue #14, item 4): the same interface as startSchakel(), from the image of
 * this repository's Dockerfile. The project's own machines have no container engine: then this file says
 * why it skips, and runs wherever Docker (or Podman) is.
 */
const unavailable = await SchakelContainer.unavailable();
if (unavailable !== undefined) process.stdout.write(`tests/container.test.ts skipped: ${unavailable}\n`);

describe.skipIf(unavailable !== undefined)('SchakelContainer', () => {
  let schakel: Schakel;
  beforeAll(async () => {
    schakel = await new SchakelContainer().start();
  }, 600_000);
  afterAll(async () => schakel?.stop());

  it('runs every organisation, seeded, behind published ports, with the PKI copied out', async () => {
    const processes = await schakel.control.processes();
    expect(processes.map((p) => p.state)).toEqual(processes.map(() => 'running'));
    expect(Object.keys(schakel.urls)).toEqual(processes.map((p) => p.id));
    const offices = frontOffices({
      topology: schakel.topology,
      urls: schakel.urls,
      ca: readFileSync(schakel.pki.rootCa, 'utf8'),
    });
    try {
      const jan = await offices.call('apotheek-de-vijzel', 'GET', '/patients/999900146');
      expect(jan.status).toBe(200);
    } finally {
      await offices.close();
    }
  });

  it('resets to the seeded state through the control API', async () => {
    await schakel.control.stop('apotheek-zuid');
    await schakel.control.reset();
    expect((await schakel.control.processes()).every((p) => p.state === 'running')).toBe(true);
  }, 120_000);
});
