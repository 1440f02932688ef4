import type { TlsMaterial } from '@schakel/service-kit';

/**
 * The one switch between plain HTTP and mutual TLS for the processes the bench starts itself (the
 * baseline). It follows the topology: when the switch point speaks HTTPS, the baseline does too, with a
 * certificate from the same test PKI, so both sides pay the same handshake and record costs.
 */
export type Transport = { kind: 'http' } | { kind: 'https'; tls: TlsMaterial };

/** Passed to baseline children as env, so the key never lands on a command line. */
export function transportEnv(transport: Transport): Record<string, string> {
  if (transport.kind === 'http') return {};
  return { BENCH_TLS_KEY: transport.tls.key, BENCH_TLS_CERT: transport.tls.cert, BENCH_TLS_CA: transport.tls.ca };
}

export function transportFromEnv(env: NodeJS.ProcessEnv): Transport {
  const { BENCH_TLS_KEY: key, BENCH_TLS_CERT: cert, BENCH_TLS_CA: ca } = env;
  if (key === undefined || cert === undefined || ca === undefined) return { kind: 'http' };
  return { kind: 'https', tls: { key, cert, ca } };
}
