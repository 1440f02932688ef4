import { OID, passesElevenTest } from '@schakel/contracts';

/**
 * Pseudonymisation of recorded exchanges (docs/control.md, "Record and replay"). Two passes over the whole
 * recording: first find every patient identifier, personal name and free text where the message structure
 * says one is (a `bsn` field, a `:bsn` route parameter, an HL7v3 id under the BSN OID, a `name` of a person,
 * SOEP lines, dosage instructions, notes), then replace each original by its pseudonym everywhere it occurs,
 * so that the same patient gets the same pseudonym in JSON, HL7v3 XML and URLs alike. Codes (G-Standaard,
 * ATC, ICPC), dates, URAs, UZI numbers, application ids and decision codes are kept: a replay needs them.
 */

/** JSON keys whose string value names a person. */
const PERSON_STRING_KEYS = new Set(['author', 'decidedBy', 'agreedWith', 'patientName', 'professionalName']);
/**
 * A `name` is a person's when its object also holds one of these (a patient, a professional, a prescriber).
 * Not `bsn`: every item of a record carries the patient's BSN, and a measurement's name is not a person.
 */
const PERSON_MARKERS = ['birthDate', 'uziNumber', 'agb', 'bigNumber', 'roleCode'];
/** Parent keys whose object is a person. */
const PERSON_KEYS = new Set(['patient', 'professional', 'prescriber', 'person', 'responsible', 'mandatedBy']);
/** JSON keys whose string value is free text written by a person (SOEP, notes, instructions, reports). */
const FREE_TEXT_KEYS = new Set([
  'S',
  'O',
  'E',
  'P',
  'dosageInstruction',
  'reaction',
  'note',
  'text',
  'complaint',
  'findings',
  'actions',
  'handover',
  'reason',
  'question',
  'description',
  'street',
  'city',
]);
/** Parts of an address that keep their format, so that a replayed answer still passes its schema. */
const FIXED = new Map([
  ['postalCode', '9999 ZZ'],
  ['houseNumber', '1'],
]);
/** Values of free-text keys that are codes of an enumeration (`consent`, `corona-opt-in`, `NO_DATA`): kept. */
const CODE_LIKE = /^([a-z]+(-[a-z]+)*|[A-Z][A-Z0-9_]*)$/;
/** HL7v3 elements whose text is free text; a `name` under an element named *Person or participant is a person's. */
const XML_FREE_TEXT = /<((?:\w+:)?text)\b([^>]*)>([^<]*)<\/\1>/g;
const XML_PERSON_NAME = /<((?:\w+:)?\w*(?:Person|participant))\b[^>]*>\s*<((?:\w+:)?name)\b[^>]*>([^<]+)<\/\2>/g;
const XML_BSN_ID = /<(?:\w+:)?id\b[^>]*>/g;
const XML_CARD = /(<(?:\w+:)?X509Certificate\b[^>]*>)[^<]*(<\/)/g;

const GIVEN = ['Anouk', 'Bas', 'Cor', 'Daan', 'Eva', 'Fleur', 'Gijs', 'Hanna', 'Ilse', 'Joost', 'Lotte', 'Mees'];
const FAMILY = ['Aalders', 'Brink', 'Coster', 'Dekker', 'Evers', 'Frenken', 'Gort', 'Hulst', 'IJzerman', 'Jonker'];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Test BSNs (9999xxxxx, passing the 11-proef) from the top of the range down, as pseudonyms. */
function* pseudonymBsns(): Generator<string> {
  for (let n = 99999999; n >= 99990000; n--) {
    const first8 = String(n);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (9 - i) * Number(first8[i]);
    const last = sum % 11;
    if (last < 10 && passesElevenTest(`${first8}${last}`)) yield `${first8}${last}`;
  }
  throw new Error('No test BSNs left for pseudonyms');
}

export interface PseudonymTable {
  bsns: Map<string, string>;
  names: Map<string, string>;
  texts: Map<string, string>;
}

export function createPseudonymiser() {
  const table: PseudonymTable = { bsns: new Map(), names: new Map(), texts: new Map() };
  const seenBsns = new Set<string>();
  const seenNames = new Set<string>();

  const noteBsn = (value: string) => {
    if (passesElevenTest(value)) seenBsns.add(value);
  };
  const noteName = (value: string) => {
    if (value.trim() !== '') seenNames.add(value.trim());
  };
  const noteText = (value: string) => {
    if (value.trim() !== '' && !CODE_LIKE.test(value) && !table.texts.has(value))
      table.texts.set(value, `[vrije tekst ${table.texts.size + 1}]`);
  };

  function findInJson(value: unknown, key: string | undefined, parent: Record<string, unknown> | undefined): void {
    if (Array.isArray(value)) {
      for (const v of value) findInJson(v, key, parent);
      return;
    }
    if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(o)) findInJson(v, k, o);
      return;
    }
    if (typeof value !== 'string' || key === undefined) return;
    if (key === 'bsn' || key.endsWith('Bsn')) noteBsn(value);
    else if (isPersonName(key, parent)) noteName(value);
    else if (FREE_TEXT_KEYS.has(key)) noteText(value);
  }
  const isPersonName = (key: string, parent: Record<string, unknown> | undefined) =>
    PERSON_STRING_KEYS.has(key) ||
    (key === 'name' && parent !== undefined && PERSON_MARKERS.some((m) => m in parent)) ||
    (key === 'name' && parent !== undefined && parentKeys.get(parent) !== undefined);
  // Which key each object hangs under, for `patient: { name }` without another marker.
  const parentKeys = new WeakMap<object, string>();
  const markParents = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && PERSON_KEYS.has(k)) parentKeys.set(v, k);
      if (Array.isArray(v)) for (const x of v) markParents(x);
      else markParents(v);
    }
  };

  function findInXml(xml: string): void {
    for (const m of xml.matchAll(XML_BSN_ID)) {
      const tag = m[0];
      if (!tag.includes(`root="${OID.bsn}"`)) continue;
      const ext = /extension="(\d{9})"/.exec(tag)?.[1];
      if (ext !== undefined) noteBsn(ext);
    }
    for (const m of xml.matchAll(XML_PERSON_NAME)) noteName(unescapeXml(m[3] ?? ''));
    for (const m of xml.matchAll(XML_FREE_TEXT)) noteText(unescapeXml(m[3] ?? ''));
  }

  /** Route parameters named bsn (`/patients/:bsn`) and a `bsn` query parameter. */
  function findInUrl(url: string, route: string): void {
    const [path = '', query = ''] = url.split('?');
    const segments = path.split('/');
    route.split('/').forEach((s, i) => {
      if (s === ':bsn' && segments[i] !== undefined) noteBsn(decodeURIComponent(segments[i]));
    });
    const bsn = new URLSearchParams(query).get('bsn');
    if (bsn !== null) noteBsn(bsn);
  }

  /** Give every original found a pseudonym that is none of the originals. */
  function assign(): void {
    const bsns = pseudonymBsns();
    for (const original of seenBsns) {
      if (table.bsns.has(original)) continue;
      let next = bsns.next().value as string;
      while (seenBsns.has(next)) next = bsns.next().value as string;
      table.bsns.set(original, next);
    }
    let n = table.names.size;
    for (const original of seenNames) {
      if (table.names.has(original)) continue;
      let name: string;
      do {
        const round = Math.floor(n / (GIVEN.length * FAMILY.length));
        name = `${GIVEN[n % GIVEN.length]} ${FAMILY[Math.floor(n / GIVEN.length) % FAMILY.length]}${round > 0 ? ` ${round + 1}` : ''}`;
        n++;
      } while (seenNames.has(name));
      // Keep a title, so that a professional still reads as one.
      const title = /^(Dr\.|Drs\.|Mr\.|Prof\.)\s/.exec(original)?.[0] ?? '';
      table.names.set(original, `${title}${name}`);
    }
  }

  const byLength = (m: Map<string, string>) => [...m.entries()].sort((a, b) => b[0].length - a[0].length);
  /**
   * Names and BSNs wherever they occur (a name in an explanation, a BSN in a URL or a signed header): names
   * as whole words, BSNs as whole numbers. Free text is replaced by position only (replaceJson, replaceXml):
   * a short note could occur inside an unrelated value.
   */
  function replaceEverywhere(text: string, xml: boolean): string {
    let out = text;
    for (const [original, pseudonym] of byLength(table.names)) {
      const o = xml ? escapeXml(original) : original;
      const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(o)}(?![\\p{L}\\p{N}])`, 'gu');
      out = out.replace(pattern, () => (xml ? escapeXml(pseudonym) : pseudonym));
    }
    for (const [original, pseudonym] of table.bsns)
      out = out.replace(new RegExp(`(?<!\\d)${original}(?!\\d)`, 'g'), pseudonym);
    return out;
  }

  function replaceJson(value: unknown, key: string | undefined, parent: Record<string, unknown> | undefined): unknown {
    if (Array.isArray(value)) return value.map((v) => replaceJson(v, key, parent));
    if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, replaceJson(v, k, o)]));
    }
    if (typeof value !== 'string') return value;
    if (key !== undefined && FIXED.has(key)) return FIXED.get(key);
    if (key !== undefined && FREE_TEXT_KEYS.has(key) && table.texts.has(value)) return table.texts.get(value);
    if (key !== undefined && isPersonName(key, parent) && table.names.has(value.trim()))
      return table.names.get(value.trim());
    return replaceEverywhere(value, false);
  }

  function replaceXml(xml: string): string {
    const free = xml.replace(XML_FREE_TEXT, (whole, tag: string, attrs: string, text: string) => {
      const pseudonym = table.texts.get(unescapeXml(text));
      return pseudonym === undefined ? whole : `<${tag}${attrs}>${escapeXml(pseudonym)}</${tag}>`;
    });
    // A UZI card certificate names its holder: it has no place in a recording.
    return replaceEverywhere(free, true).replace(XML_CARD, '$1[card certificate removed]$2');
  }

  return {
    table,
    /** Pass 1: what a JSON body (already parsed) holds. */
    findInJson: (body: unknown) => {
      markParents(body);
      findInJson(body, undefined, undefined);
    },
    findInXml,
    findInUrl,
    /** Between the passes: pseudonyms for everything found. */
    assign,
    /** Pass 2 for a URL or any other text: names and BSNs. */
    replaceText: (text: string) => replaceEverywhere(text, false),
    /** Pass 2 for a parsed JSON body: free text and names by position, names and BSNs everywhere. */
    replaceJson: (body: unknown): unknown => {
      markParents(body);
      return replaceJson(body, undefined, undefined);
    },
    /** Pass 2 for HL7v3 XML: free text by position, names and BSNs everywhere, card certificates removed. */
    replaceXml,
  };
}
export type Pseudonymiser = ReturnType<typeof createPseudonymiser>;

/** What a scan of a recording found of the originals it was given (none, for a good recording). */
export interface ScanFinding {
  kind: 'bsn' | 'name' | 'unknown-bsn';
  value: string;
}

/**
 * Scan a recording's text for originals: each BSN given (as a whole number) and each name given (as
 * words, case-insensitive). With `pseudonyms`, also any BSN-valid number in a `bsn` field or under the BSN
 * OID that is not one of them.
 */
export function scanForOriginals(
  text: string,
  originals: { bsns?: string[]; names?: string[] },
  pseudonyms?: string[],
): ScanFinding[] {
  const found: ScanFinding[] = [];
  for (const bsn of originals.bsns ?? [])
    if (new RegExp(`(?<!\\d)${bsn}(?!\\d)`).test(text)) found.push({ kind: 'bsn', value: bsn });
  for (const name of originals.names ?? [])
    if (new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'iu').test(text))
      found.push({ kind: 'name', value: name });
  if (pseudonyms !== undefined) {
    const known = new Set(pseudonyms);
    const candidates = [
      ...text.matchAll(/"bsn"\s*:\s*"(\d{9})"/g),
      ...text.matchAll(new RegExp(`root=\\\\?"${escapeRegExp(OID.bsn)}\\\\?"\\s+extension=\\\\?"(\\d{9})`, 'g')),
      ...text.matchAll(/extension=\\?"(\d{9})\\?"\s+root=\\?"2\.16\.840\.1\.113883\.2\.4\.6\.3/g),
    ];
    for (const m of candidates) {
      const bsn = m[1] as string;
      if (!known.has(bsn) && !found.some((f) => f.value === bsn)) found.push({ kind: 'unknown-bsn', value: bsn });
    }
  }
  return found;
}
