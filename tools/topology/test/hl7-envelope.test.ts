import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicationIdForCard } from '../src/hl7-envelope.js';
import { preparePki } from '../src/prepare-pki.js';
import type { Topology } from '../src/topology.js';

const doctor = { uziNumber: '900000021', roleCode: '01.015', name: 'Dr. A' };
const org = (id: string, applicationId: string, ura = '01000001') => ({
  id,
  service: 'gp' as const,
  name: id,
  ura,
  applicationId,
  port: 0,
  professionals: [doctor],
  wire: 'json' as const,
  users: [],
});
const topologyOf = (organisations: Topology['organisations']): Topology => ({
  switchPoint: { id: 'lsp', name: 'Switch point', ura: '00000001', applicationId: '1', port: 0 },
  organisations,
  settings: { sourceTimeoutMs: 3000, policies: { coronaOptIn: true, stopButton: true, presumedConsent: true } },
});

/** The card prefix and certificate of the topology's doctor, as `schakel hl7 --card` is given them. */
function card(pkiDir: string, ura: string) {
  const prefix = join(pkiDir, 'professionals', ura, doctor.uziNumber);
  return { prefix, cert: readFileSync(`${prefix}.cert.pem`, 'utf8') };
}

describe('applicationIdForCard', () => {
  it('finds the application id of the one system certificate issued to the card’s organisation', async () => {
    const pkiDir = mkdtempSync(join(tmpdir(), 'schakel-pki-'));
    await preparePki(topologyOf([org('gp-a', '100001'), org('gp-b', '100002', '01000002')]), pkiDir);
    const { prefix, cert } = card(pkiDir, '01000002');
    expect(applicationIdForCard(prefix, cert)).toBe('100002');
  });

  it('cannot tell when two systems carry the card’s URA', async () => {
    const pkiDir = mkdtempSync(join(tmpdir(), 'schakel-pki-'));
    await preparePki(topologyOf([org('gp-a', '100001'), org('gp-a2', '100003')]), pkiDir);
    const { prefix, cert } = card(pkiDir, '01000001');
    expect(applicationIdForCard(prefix, cert)).toBeUndefined();
  });
});
