import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, loadTopology } from '@schakel/topology';

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { command: string[]; environment: Record<string, string>; ports: string[] }>;
};
const topology = loadTopology();

function composePluginAvailable(): boolean {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('docker-compose.yml', () => {
  it('has one container per organisation of the default topology, with the same identity, port and certificates', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['pki', topology.switchPoint.id, ...topology.organisations.map((o) => o.id)].sort(),
    );
    expect(compose.services['pki']?.command).toEqual(['tools/topology/src/cli.ts', 'pki', '--data-dir', '/data']);
    expect(compose.services[topology.switchPoint.id]?.environment).toMatchObject({
      TLS_CERT_FILE: `/data/pki/systems/${topology.switchPoint.id}.cert.pem`,
      CARD_CA_FILE: '/data/pki/card-ca.pem',
    });
    for (const o of topology.organisations) {
      const s = compose.services[o.id];
      expect(s?.command, o.id).toEqual([`services/${o.service}/src/main.ts`]);
      expect(s?.environment, o.id).toMatchObject({
        ORG_URA: o.ura,
        APPLICATION_ID: o.applicationId,
        PORT: String(o.port),
        ORG_NAME: o.name,
        LSP_URL: `https://${topology.switchPoint.id}:${topology.switchPoint.port}`,
        TLS_CERT_FILE: `/data/pki/systems/${o.id}.cert.pem`,
        CREDENTIALS_DIR: `/data/pki/professionals/${o.ura}`,
        FRONT_OFFICE_USERS_FILE: `/data/pki/front-office/${o.id}.users.json`,
      });
      expect(s?.ports).toEqual([`${o.port}:${o.port}`]);
    }
  });

  it('is accepted by `docker compose config` where the compose plugin is installed', (ctx) => {
    if (!composePluginAvailable()) {
      console.log(
        'skipped: the docker compose plugin is not installed on this machine (no Docker engine here either); the structure test above still runs',
      );
      ctx.skip();
      return;
    }
    execFileSync('docker', ['compose', '-f', join(REPO_ROOT, 'docker-compose.yml'), 'config', '-q'], { stdio: 'pipe' });
  });
});
