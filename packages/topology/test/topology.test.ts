import { describe, expect, it } from 'vitest';
import { Topology, loadTopology } from '../src/index.js';

describe('the topology file', () => {
  it('gives every organisation the json wire by default, and lets a GP or pharmacy speak hl7v3', () => {
    const t = loadTopology();
    expect(new Set(t.organisations.map((o) => o.wire))).toEqual(new Set(['json']));
    const gp = t.organisations.find((o) => o.service === 'gp');
    const parsed = Topology.safeParse({ ...t, organisations: [{ ...gp, wire: 'hl7v3' }] });
    expect(parsed.success).toBe(true);
  });

  it('refuses hl7v3 for a system the switch point never asks (a HAP), naming the field', () => {
    const t = loadTopology();
    const hap = t.organisations.find((o) => o.service === 'hap');
    const parsed = Topology.safeParse({ ...t, organisations: [{ ...hap, wire: 'hl7v3' }] });
    expect(parsed.error?.issues).toMatchObject([{ path: ['organisations', 0, 'wire'] }]);
  });
});
