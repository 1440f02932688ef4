import { el, type XElement } from '../xml/build.js';
import { wireError, type Reader } from '../xml/read.js';
import { NS } from '../oids.js';

/**
 * HL7v3 data types as the messages use them: II (identifiers), CD/CE/CS (codes), TS (points in time),
 * IVL_TS (periods), PQ (quantities), BL, INT, ST. JSON dates are ISO 8601; HL7 TS is YYYYMMDD[HHMM[SS[.fff]]][+ZZZZ].
 */

export interface Ii {
  root: string;
  extension?: string;
}

export function ii(name: string, id: Ii): XElement {
  return el(name, { root: id.root, extension: id.extension });
}

/** An II read back: an id whose root is not the expected one is a problem. */
export function readIi(r: Reader, root?: string): Ii {
  const idRoot = r.needAttr('root');
  if (root !== undefined && idRoot !== root)
    throw wireError(`${r.path}/@root`, 'INVALID_VALUE', root, `expected root ${root}, got ${idRoot}`);
  const extension = r.attr('extension');
  return extension === undefined ? { root: idRoot } : { root: idRoot, extension };
}

/** The extension of an id under `root`, e.g. a BSN under 2.16.840.1.113883.2.4.6.3. */
export function readIdExtension(r: Reader, root: string): string {
  const id = readIi(r, root);
  if (id.extension === undefined || id.extension === '')
    throw wireError(
      `${r.path}/@extension`,
      'MISSING_FIELD',
      `an identifier under ${root}`,
      '@extension is required here',
    );
  return id.extension;
}

/** The first of several ids that has this root (a prescriber with AGB and BIG ids). */
export function findId(readers: Reader[], root: string): string | undefined {
  return readers.find((r) => r.attr('root') === root)?.attr('extension');
}

export interface Code {
  code: string;
  codeSystem: string;
  displayName?: string;
}

export function cd(name: string, c: Code, ...extra: XElement[]): XElement {
  return el(name, { code: c.code, codeSystem: c.codeSystem, displayName: c.displayName }, ...extra);
}

export function readCode(r: Reader, codeSystem?: string): Code {
  const code = r.needAttr('code');
  const system = r.needAttr('codeSystem');
  if (codeSystem !== undefined && system !== codeSystem)
    throw wireError(
      `${r.path}/@codeSystem`,
      'INVALID_VALUE',
      codeSystem,
      `expected code system ${codeSystem}, got ${system}`,
    );
  const displayName = r.attr('displayName');
  return displayName === undefined ? { code, codeSystem: system } : { code, codeSystem: system, displayName };
}

/** A value from an enumeration of codes in one code system. */
export function readEnum<T extends string>(r: Reader, codeSystem: string, values: readonly T[]): T {
  const { code } = readCode(r, codeSystem);
  if (!(values as readonly string[]).includes(code))
    throw wireError(`${r.path}/@code`, 'INVALID_VALUE', `one of ${values.join(', ')}`, `unknown code ${code}`);
  return code as T;
}

// ---- time ----

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const TS_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const TS_DATETIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(\.\d+)?([+-]\d{4})?$/;

export function dateToTs(iso: string): string {
  const m = ISO_DATE.exec(iso);
  if (m === null) throw new Error(`not an ISO date: ${iso}`);
  return `${m[1]}${m[2]}${m[3]}`;
}

export function tsToDate(ts: string, field: string): string {
  const m = TS_DATE.exec(ts);
  if (m === null) throw wireError(field, 'INVALID_VALUE', 'a date YYYYMMDD', `not a date: ${ts}`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** 2026-11-22T10:15:00.123Z -> 20261122101500.123+0000; the precision and the offset are kept. */
export function dateTimeToTs(iso: string): string {
  const m = ISO_DATETIME.exec(iso);
  if (m === null) throw new Error(`not an ISO date-time with offset: ${iso}`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const offset = zone === 'Z' ? '+0000' : zone!.replace(':', '');
  return `${y}${mo}${d}${h}${mi}${s ?? ''}${s !== undefined ? (frac ?? '') : ''}${offset}`;
}

/**
 * 20261122101500.123+0000 -> 2026-11-22T10:15:00.123Z. A TS without a zone is Dutch local time
 * (Europe/Amsterdam), which is how AORTA systems that leave the zone out mean it.
 */
export function tsToDateTime(ts: string, field: string): string {
  const m = TS_DATETIME.exec(ts);
  if (m === null)
    throw wireError(field, 'INVALID_VALUE', 'a date-time YYYYMMDDHHMM[SS[.fff]][+ZZZZ]', `not a date-time: ${ts}`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const offset = zone === undefined ? amsterdamOffset(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}`) : zone;
  const isoZone = offset === '+0000' ? 'Z' : `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return `${y}-${mo}-${d}T${h}:${mi}${s !== undefined ? `:${s}${frac ?? ''}` : ''}${isoZone}`;
}

/** The UTC offset (+0100 or +0200) of a wall-clock time in the Netherlands. */
function amsterdamOffset(local: string): string {
  const asUtc = Date.parse(`${local}Z`);
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', timeZoneName: 'longOffset' });
  // Two passes settle the offset around a DST switch.
  let offsetMin = 0;
  for (let i = 0; i < 2; i++) {
    const name =
      fmt.formatToParts(new Date(asUtc - offsetMin * 60_000)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    offsetMin = m === null ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** A message's creation time: the domain's clock (docs/control.md, "Clock"). */
export { nowIso } from '@schakel/contracts';

export function tsDate(name: string, iso: string): XElement {
  return el(name, { value: dateToTs(iso) });
}

export function tsDateTime(name: string, iso: string): XElement {
  return el(name, { value: dateTimeToTs(iso) });
}

export function readTsDate(r: Reader): string {
  return tsToDate(r.needAttr('value'), `${r.path}/@value`);
}

export function readTsDateTime(r: Reader): string {
  return tsToDateTime(r.needAttr('value'), `${r.path}/@value`);
}

/** IVL_TS of dates: <name><low value/><high value/></name>, either end optional. */
export function ivlDate(name: string, low: string | undefined, high: string | undefined): XElement | undefined {
  if (low === undefined && high === undefined) return undefined;
  return el(name, null, low !== undefined && tsDate('low', low), high !== undefined && tsDate('high', high));
}

export function readIvlDate(r: Reader): { low?: string; high?: string } {
  const low = r.child('low');
  const high = r.child('high');
  return {
    ...(low !== undefined ? { low: readTsDate(low) } : {}),
    ...(high !== undefined ? { high: readTsDate(high) } : {}),
  };
}

// ---- simple values ----

export function bl(name: string, value: boolean): XElement {
  return el(name, { value: value ? 'true' : 'false' });
}

export function readBl(r: Reader): boolean {
  const v = r.needAttr('value');
  if (v !== 'true' && v !== 'false')
    throw wireError(`${r.path}/@value`, 'INVALID_VALUE', 'true or false', `not a boolean: ${v}`);
  return v === 'true';
}

export function readNumber(r: Reader, attr = 'value'): number {
  const v = r.attr(attr);
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n))
    throw wireError(`${r.path}/@${attr}`, 'INVALID_VALUE', 'a number', `not a number: ${v ?? '(missing)'}`);
  return n;
}

/** The xsi:type of a polymorphic value (<value xsi:type="PQ" ...>). */
export function xsiType(r: Reader): string | undefined {
  return r.attrNs(NS.xsi, 'type')?.replace(/^.*:/, '');
}

/** Text of an optional child element, or undefined. */
export function optText(r: Reader, name: string): string | undefined {
  return r.child(name)?.text();
}
