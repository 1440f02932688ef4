import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPOLOGY_FILE, SERVICES, Topology, loadTopology } from '../src/topology.js';

const dir = mkdtempSync(join(tmpdir(), 'schakel-topology-'));
let n = 0;
/** Writes `content` (an object as JSON, or raw text) to a fresh file and returns its path. */
function file(content: unknown): string {
  const path = join(dir, `topology-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const gp = { id: 'gp-a', service: 'gp', name: 'GP A', ura: '01000001', applicationId: '100001', port: 0 };
const minimal = { switchPoint: { name: 'Switch point', port: 0 }, organisations: [gp] };

describe('loadTopology', () => {
  it('reads the default topology: one switch point, organisations of every kind, no port twice', () => {
    const t = loadTopology(DEFAULT_TOPOLOGY_FILE);
    expect(t.switchPoint.id).toBe('lsp');
    expect(new Set(t.organisations.map((o) => o.service))).toEqual(new Set(SERVICES));
    const ports = [t.switchPoint.port, ...t.organisations.map((o) => o.port)];
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('fills in the switch point identity, the settings and the policies when a file leaves them out', () => {
    const t = loadTopology(file(minimal));
    expect(t.switchPoint).toMatchObject({ id: 'lsp', ura: '00000001', applicationId: '1' });
    expect(t.settings).toEqual({
      sourceTimeoutMs: 3000,
      policies: { coronaOptIn: true, stopButton: true, presumedConsent: true },
    });
    expect(t.organisations[0]?.professionals).toEqual([]);
  });

  it('names the file and the field when a value is wrong', () => {
    const path = file({ ...minimal, organisations: [{ ...gp, ura: '12' }] });
    expect(() => loadTopology(path)).toThrow(
      new RegExp(`Topology file ${path} is not valid:[\\s\\S]*organisations\\.0\\.ura`),
    );
  });

  it('refuses an unknown kind of service and a field it does not know', () => {
    expect(() => loadTopology(file({ ...minimal, organisations: [{ ...gp, service: 'dentist' }] }))).toThrow(
      /organisations\.0\.service/,
    );
    expect(() => loadTopology(file({ ...minimal, organisations: [{ ...gp, colour: 'red' }] }))).toThrow(/colour/);
  });

  it('refuses an organisation id used twice, or the switch point’s own id', () => {
    expect(() => loadTopology(file({ ...minimal, organisations: [gp, { ...gp, ura: '01000002' }] }))).toThrow(
      /organisation id gp-a is used twice/,
    );
    expect(() => loadTopology(file({ ...minimal, organisations: [{ ...gp, id: 'lsp' }] }))).toThrow(
      /organisation id lsp is used twice/,
    );
  });

  it('says which file it could not read', () => {
    const path = file('{ not json');
    expect(() => loadTopology(path)).toThrow(`Cannot read topology file ${path}`);
    expect(() => loadTopology(join(dir, 'missing.json'))).toThrow(/Cannot read topology file .*missing\.json/);
  });
});

describe('the wire of a source', () => {
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
