import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { problem } from '@schakel/contracts';

/**
 * The pseudonym service of the new model (issue #17; the role of the ministry's PRS): BSN -> a pseudonym
 * per organisation, so that no party but this service can link one organisation's pseudonym to another's
 * or to the BSN. Deterministic authenticated encryption (AES-256-GCM with a synthetic IV, as in SIV):
 * the IV is an HMAC of (organisation, BSN), so the same patient gets the same pseudonym at one
 * organisation and an unrelated one at another; the organisation's URA is the associated data, so a
 * pseudonym only opens for the organisation it was made for. Keys derive from one key per environment
 * (PSEUDONYM_KEY, or a key file made once beside the NVI store).
 *
 * Its boundary: the NVI store and the FHIR routes get `pseudonymFor` only; `reverse` stays with this
 * service (and its tests), as the only party that may turn a pseudonym back into a BSN. It could run as a
 * process of its own behind the same two calls; here it is a module of the switch point.
 */
export function createPseudonymService(key: Buffer) {
  if (key.length < 32) throw new Error('The pseudonym key must be at least 32 bytes');
  const derive = (label: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), label, 32));
  const macKey = derive('schakel pseudonym iv');
  const encKey = derive('schakel pseudonym enc');
  return {
    /** The pseudonym of this BSN for this organisation (URA): the same every time. */
    pseudonymFor: (bsn: string, ura: string): string => {
      const iv = createHmac('sha256', macKey).update(`${ura}:${bsn}`).digest().subarray(0, 12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      cipher.setAAD(Buffer.from(ura));
      const body = Buffer.concat([cipher.update(bsn, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    /** The BSN behind a pseudonym made for this organisation; refused for any other. */
    reverse: (pseudonym: string, ura: string): string => {
      const raw = Buffer.from(pseudonym, 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(ura));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        throw problem('NOT_FOUND', 'The pseudonym was not made for this organisation by this pseudonym service');
      }
    },
  };
}
export type PseudonymService = ReturnType<typeof createPseudonymService>;
/** What the NVI gets of the pseudonym service: the forward direction only. */
export type Pseudonymise = PseudonymService['pseudonymFor'];

/**
 * The environment's key: PSEUDONYM_KEY (base64 or hex, at least 32 bytes), else a key file created once
 * (mode 0600) beside the NVI store, else, for an in-memory store, a key for this process only.
 */
export function pseudonymKey(configured: string | undefined, nviDatabase: string): Buffer {
  if (configured !== undefined) {
    const key = /^[0-9a-f]+$/i.test(configured) ? Buffer.from(configured, 'hex') : Buffer.from(configured, 'base64');
    if (key.length < 32)
      throw new Error('PSEUDONYM_KEY must hold at least 32 bytes (64 hex digits or 44 base64 characters)');
    return key;
  }
  if (nviDatabase === ':memory:') return randomBytes(32);
  const file = `${nviDatabase}.pseudonym-key`;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process made it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
