import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceClient, createSwitchPointClient } from '@schakel/service-kit';
import { openPki, type Pki } from '@schakel/trust/pki';
import { ADMIN_SYSTEM } from './identities.js';

/**
 * The operator's typed client for a running switch point: mutual TLS with the admin certificate from the
 * topology's test PKI (what `enrol` and the process-control verbs use). Close it when done.
 */
export async function operatorClient(pkiDirOrPki: string | Pki, lspUrl: string, timeoutMs = 30_000) {
  if (typeof pkiDirOrPki === 'string' && !existsSync(join(pkiDirOrPki, 'root-ca.pem')))
    throw new Error(`No test PKI in ${pkiDirOrPki}: start the topology once first (npm start)`);
  const pki = typeof pkiDirOrPki === 'string' ? await openPki(pkiDirOrPki) : pkiDirOrPki;
  const adminFiles = await pki.ensureSystem(ADMIN_SYSTEM);
  const client = createServiceClient({
    timeoutMs,
    tls: {
      cert: readFileSync(adminFiles.certFile, 'utf8'),
      key: readFileSync(adminFiles.keyFile, 'utf8'),
      ca: pki.rootPem,
    },
  });
  return Object.assign(createSwitchPointClient(client, lspUrl), { close: () => client.close() });
}

/** The switch point as the operator sees it: its typed client with the admin certificate, and close(). */
export type OperatorClient = Awaited<ReturnType<typeof operatorClient>>;
