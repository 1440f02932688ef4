import { z } from 'zod';
import { IsoDateTime } from './people.js';

/**
 * The one clock of the domain (issue #14): what time it is for assertion windows, consent and report dates,
 * access-log entries and the GP summary's four-month window. A test can move it (an offset from real time)
 * or stop it (frozen), for all services at once, through the switch point's control API (docs/control.md,
 * "Clock"). It lives here, in the package every other one depends on, because trust and hl7v3 sign and check
 * assertions below the service kit.
 *
 * Where the line is: domain time comes from `now()`. Operational time stays on the real clock (Date.now(),
 * performance.now(), timers): request time-outs, the supervisor's backoff, the outbox's retry schedule,
 * rate limits, sessions' and tokens' lifetimes, TLS and certificate validity, caches and benchmark timings.
 * A frozen clock must not stop retries, and a clock set back must not make the test PKI "not yet valid".
 *
 * One setting per process; every app in a process (an in-process test) shares it.
 */

/** An ISO 8601 duration, optionally negative: P4M, -P1D, PT90M, P1Y2M3DT4H5M6S. */
const DURATION =
  /^(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** At most a century either way: enough for any test, and far inside what a Date can hold. */
const MAX_OFFSET_MS = 100 * 366 * 86_400_000;

export const IsoDuration = z
  .string()
  .regex(DURATION, 'an ISO 8601 duration such as P4M, -P1D or PT90M')
  .meta({ id: 'IsoDuration', examples: ['P4M', '-P1D', 'PT90M'] });

/** The setting as every process holds it: real time, an offset from real time, or a time that stands still. */
export const ClockSetting = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('real') }),
    z.object({
      mode: z.literal('offset'),
      offsetMs: z.number().int().min(-MAX_OFFSET_MS).max(MAX_OFFSET_MS).describe('now = real time + offsetMs'),
    }),
    z.object({ mode: z.literal('frozen'), at: IsoDateTime.describe('now, whatever the real time') }),
  ])
  .meta({ id: 'ClockSetting' });
export type ClockSetting = z.infer<typeof ClockSetting>;

/**
 * What the operator asks for (PUT /control/clock): an offset from real time (an ISO duration, calendar
 * months and years counted from the real now, or milliseconds), a time to jump to that runs on from there,
 * or a time that stands still; `{ "frozen": true }` alone stops the clock where it is.
 */
export const SetClock = z
  .union(
    [
      z
        .object({
          offset: z.union([IsoDuration, z.number().int().min(-MAX_OFFSET_MS).max(MAX_OFFSET_MS)]),
        })
        .strict(),
      z.object({ at: IsoDateTime, frozen: z.boolean().optional() }).strict(),
      z.object({ frozen: z.literal(true) }).strict(),
    ],
    { error: 'one of { offset: ISO duration or ms }, { at: ISO date-time, frozen?: boolean }, { frozen: true }' },
  )
  .meta({ id: 'SetClock' });
export type SetClock = z.infer<typeof SetClock>;

export const ClockState = z
  .object({ now: IsoDateTime.describe('the domain time now'), setting: ClockSetting })
  .meta({ id: 'ClockState' });
export type ClockState = z.infer<typeof ClockState>;

/** `from` moved by an ISO 8601 duration; months and years are calendar months (the 31st clamps to the month's last day). */
export function addDuration(from: Date, duration: string): Date {
  const m = DURATION.exec(duration);
  if (m === null) throw new RangeError(`Not an ISO 8601 duration: ${duration}`);
  const sign = m[1] === '-' ? -1 : 1;
  const n = (i: number) => Number(m[i] ?? 0) * sign;
  const d = new Date(from.getTime());
  const months = n(2) * 12 + n(3);
  if (months !== 0) {
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + months);
    const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, lastDay));
  }
  const ms = ((n(4) * 7 + n(5)) * 24 + n(6)) * 3_600_000 + n(7) * 60_000 + Math.round(n(8) * 1000);
  return new Date(d.getTime() + ms);
}

/**
 * Turn the operator's request into the setting every process gets. Offsets and `at` count from the real
 * time of the request, so repeating a PUT gives the same clock, and all processes get the same milliseconds.
 */
export function resolveClock(request: SetClock, realNow: number = Date.now()): ClockSetting {
  if ('offset' in request) {
    const offsetMs =
      typeof request.offset === 'number'
        ? request.offset
        : addDuration(new Date(realNow), request.offset).getTime() - realNow;
    return ClockSetting.parse({ mode: 'offset', offsetMs });
  }
  if ('at' in request) {
    const at = Date.parse(request.at);
    return request.frozen === true
      ? { mode: 'frozen', at: new Date(at).toISOString() }
      : ClockSetting.parse({ mode: 'offset', offsetMs: at - realNow });
  }
  return { mode: 'frozen', at: timeUnder(setting, realNow).toISOString() };
}

let setting: ClockSetting = { mode: 'real' };

function timeUnder(s: ClockSetting, realNow: number): Date {
  switch (s.mode) {
    case 'real':
      return new Date(realNow);
    case 'offset':
      return new Date(realNow + s.offsetMs);
    case 'frozen':
      return new Date(s.at);
  }
}

/** The domain's time now. */
export function now(): Date {
  return timeUnder(setting, Date.now());
}

/** The domain's time now as an ISO string (what stores record). */
export function nowIso(): string {
  return now().toISOString();
}

/** The domain's time now in Unix seconds (assertion claims). */
export function nowSeconds(): number {
  return Math.floor(now().getTime() / 1000);
}

/**
 * Real time as an ISO string, for operational schedules a store keeps (an outbox's next attempt, a
 * session's expiry): these must keep running whatever the domain's clock says.
 */
export function realNowIso(): string {
  return new Date().toISOString();
}

export function clockSetting(): ClockSetting {
  return setting;
}

/** Set this process's clock (the launcher's command, or the setting it passes at start). */
export function setClock(next: ClockSetting): void {
  setting = ClockSetting.parse(next);
}

export function clockState(): ClockState {
  return { now: nowIso(), setting };
}
