import { join } from 'node:path';
import { ADMIN_SYSTEM, type Topology } from '@schakel/topology';
import { controlClient, type ControlClient } from './control.js';
import { lspClient, type LspClient } from './lsp-client.js';

/** Where the test PKI's files are: what your own system needs to talk to Schakel over mutual TLS. */
export interface SchakelPki {
  dir: string;
  /** The root every Schakel certificate chains to: trust it. */
  rootCa: string;
  /** The CA of the UZI cards (the professionals' certificates). */
  cardCa: string;
  /** The operator's admin certificate (control API, access log, address book). */
  admin: { cert: string; key: string };
  /** Each system's certificate and key by process id (the switch point and every organisation). */
  systems: Record<string, { cert: string; key: string }>;
  /** Each organisation's folder of UZI cards (<UZI number>.cert.pem / .key.pem) by organisation id. */
  cards: Record<string, string>;
}

/** A running Schakel, started by `startSchakel()` (local processes) or `new SchakelContainer().start()`. */
export interface Schakel {
  topology: Topology;
  /** The switch point's base URL. */
  switchPoint: string;
  /** Each organisation's base URL by its id (as in the topology file), the switch point included. */
  urls: Record<string, string>;
  pki: SchakelPki;
  /** The operator's control API: processes, faults, journal, snapshots, reset. */
  control: ControlClient;
  /**
   * The switch point's whole API, typed from its OpenAPI document (`lspClient`), with the operator's admin
   * certificate: e.g. `await schakel.api.GET('/admin/policies')`.
   */
  api: LspClient;
  /** The folder with every store, log and snapshot (local runs) or a copy of the PKI (containers). */
  dataDir: string;
  /** Stop everything and remove what the start created. */
  stop(): Promise<void>;
}

/** The PKI layout the topology's launcher writes (tools/topology/src/prepare-pki.ts). */
export function pkiLayout(dir: string, topology: Topology): SchakelPki {
  const system = (id: string) => ({
    cert: join(dir, 'systems', `${id}.cert.pem`),
    key: join(dir, 'systems', `${id}.key.pem`),
  });
  return {
    dir,
    rootCa: join(dir, 'root-ca.pem'),
    cardCa: join(dir, 'card-ca.pem'),
    admin: system(ADMIN_SYSTEM.id),
    systems: Object.fromEntries(
      [topology.switchPoint.id, ...topology.organisations.map((o) => o.id)].map((id) => [id, system(id)]),
    ),
    cards: Object.fromEntries(topology.organisations.map((o) => [o.id, join(dir, 'professionals', o.ura)])),
  };
}

/**
 * A running stack as a `Schakel`, the same for local processes and a container: the operator's clients
 * over its PKI, and a stop() that closes them before stopping the stack itself.
 */
export async function connectSchakel(stack: {
  topology: Topology;
  switchPoint: string;
  urls: Record<string, string>;
  pkiDir: string;
  dataDir: string;
  stop: () => Promise<void>;
}): Promise<Schakel> {
  const pki = pkiLayout(stack.pkiDir, stack.topology);
  const control = await controlClient(stack.pkiDir, stack.switchPoint);
  const api = lspClient({ baseUrl: stack.switchPoint, cert: pki.admin.cert, key: pki.admin.key, ca: pki.rootCa });
  return {
    topology: stack.topology,
    switchPoint: stack.switchPoint,
    urls: stack.urls,
    pki,
    control,
    api,
    dataDir: stack.dataDir,
    async stop() {
      await control.close();
      await api.close();
      await stack.stop();
    },
  };
}
