import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { frontOffices, startSchakel, type Schakel } from '@schakel/testkit';

let schakel: Schakel;
beforeAll(async () => {
  schakel = await startSchakel({ seed: true, sourceTimeoutMs: 1_000 });
}, 120_000);
afterAll(async () => schakel?.stop());

test('the after-hours post gets Fatima’s medication from the one pharmacy she consented at', async () => {
  const offices = frontOffices({
    topology: schakel.topology,
    urls: schakel.urls,
    ca: readFileSync(schakel.pki.rootCa, 'utf8'),
  });
  try {
    const professional = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. H. de Wit' };
    const consult = await offices.call('hap-midden', 'POST', '/consults', { bsn: '999900523', professional });
    const batch = await offices.call('hap-midden', 'POST', `/consults/${consult.json.id}/medication`, {});
    const statuses = batch.json.sources.map((s: { organisationName: string; status: string }) => [
      s.organisationName,
      s.status,
    ]);
    expect(statuses).toEqual([
      ['Apotheek De Vijzel', 'ok'],
      ['Apotheek Zuid', 'refused'],
    ]);

    // The switch point's own API, typed from its OpenAPI document, as the operator: who holds her data.
    const index = await schakel.api.GET('/reference-index/{bsn}', { params: { path: { bsn: '999900523' } } });
    expect(index.data?.entries.map((e) => e.organisationName)).toContain('Apotheek De Vijzel');

    // Take the pharmacy away while everything else runs: it shows as unreachable in the batch.
    await schakel.control.setFault('apotheek-de-vijzel', { kind: 'down' });
    const again = await offices.call('hap-midden', 'POST', `/consults/${consult.json.id}/medication`, {});
    expect(again.json.sources[0].status).toBe('unreachable');
    await schakel.control.clearFault('apotheek-de-vijzel');
  } finally {
    await offices.close();
  }
}, 60_000);
