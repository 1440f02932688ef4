import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The correlation header of the FHIR-era LSP: `AORTA-ID: initialRequestID=<uuid>; requestID=<uuid>`.
 * The initial id is kept on every hop; each hop gets a fresh request id. Every party logs both.
 */
export const AORTA_ID_HEADER = 'aorta-id';

export interface AortaId {
  initialRequestId: string;
  requestId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseAortaId(header: string): AortaId | undefined {
  const parts = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const initialRequestId = parts.get('initialRequestID');
  const requestId = parts.get('requestID');
  if (initialRequestId === undefined || requestId === undefined) return undefined;
  if (!UUID.test(initialRequestId) || !UUID.test(requestId)) return undefined;
  return { initialRequestId, requestId };
}

export function formatAortaId(id: AortaId): string {
  return `initialRequestID=${id.initialRequestId}; requestID=${id.requestId}`;
}

/** A new conversation: both ids the same fresh uuid. */
export function newAortaId(): AortaId {
  const id = randomUUID();
  return { initialRequestId: id, requestId: id };
}

/** The next hop of the same conversation. */
export function nextHop(id: Pick<AortaId, 'initialRequestId'>): AortaId {
  return { initialRequestId: id.initialRequestId, requestId: randomUUID() };
}

export const AortaIdHeader = z
  .string()
  .refine((v) => parseAortaId(v) !== undefined, {
    params: { code: 'INVALID_AORTA_ID', expected: 'initialRequestID=<uuid>; requestID=<uuid>' },
  })
  .meta({ id: 'AortaIdHeader', description: 'AORTA-ID: initialRequestID=<uuid>; requestID=<uuid>' });
