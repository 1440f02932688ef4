import { afterEach, describe, expect, it } from 'vitest';
import {
  SetClock,
  addDuration,
  clockSetting,
  clockState,
  now,
  nowIso,
  nowSeconds,
  realNowIso,
  resolveClock,
  setClock,
} from '../src/clock.js';

const REAL = Date.parse('2026-10-31T12:00:00Z');

afterEach(() => setClock({ mode: 'real' }));

describe('addDuration', () => {
  it('counts calendar months and clamps to the last day of a shorter month', () => {
    expect(addDuration(new Date(REAL), 'P4M').toISOString()).toBe('2027-02-28T12:00:00.000Z');
    expect(addDuration(new Date(REAL), '-P1M').toISOString()).toBe('2026-09-30T12:00:00.000Z');
    expect(addDuration(new Date(REAL), 'P1Y').toISOString()).toBe('2027-10-31T12:00:00.000Z');
  });
  it('adds weeks, days, hours, minutes and (fractional) seconds', () => {
    expect(addDuration(new Date(REAL), 'P1W2DT3H4M5.5S').toISOString()).toBe('2026-11-09T15:04:05.500Z');
    expect(addDuration(new Date(REAL), '-PT90M').toISOString()).toBe('2026-10-31T10:30:00.000Z');
  });
  it('refuses what is not an ISO 8601 duration', () => {
    for (const bad of ['P', 'PT', '4M', 'P4', 'P1.5M', 'PT1H2D', '+P1D'])
      expect(() => addDuration(new Date(REAL), bad), bad).toThrow(RangeError);
  });
});

describe('SetClock', () => {
  it('takes an offset, a time to jump to (frozen or running), or a freeze of now', () => {
    for (const ok of [
      { offset: 'P4M' },
      { offset: -86_400_000 },
      { at: '2027-01-01T09:00:00Z' },
      { at: '2027-01-01T09:00:00+01:00', frozen: true },
      { frozen: true },
    ])
      expect(SetClock.safeParse(ok).success, JSON.stringify(ok)).toBe(true);
  });
  it('refuses mixed, empty, malformed and out-of-range settings', () => {
    for (const bad of [
      {},
      { offset: 'four months' },
      { offset: 1.5 },
      { offset: 1e13 },
      { at: '2027-01-01' },
      { frozen: false },
      { offset: 'P1D', at: '2027-01-01T09:00:00Z' },
      { offset: 'P1D', frozen: true },
    ])
      expect(SetClock.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});

describe('resolveClock', () => {
  it('turns a duration into milliseconds from the real now, so every process gets the same offset', () => {
    expect(resolveClock({ offset: 'P4M' }, REAL)).toEqual({
      mode: 'offset',
      offsetMs: Date.parse('2027-02-28T12:00:00Z') - REAL,
    });
    expect(resolveClock({ offset: -1000 }, REAL)).toEqual({ mode: 'offset', offsetMs: -1000 });
  });
  it('makes a running jump an offset and a frozen one a fixed time', () => {
    expect(resolveClock({ at: '2026-10-31T13:00:00Z' }, REAL)).toEqual({ mode: 'offset', offsetMs: 3_600_000 });
    expect(resolveClock({ at: '2027-01-01T10:00:00+01:00', frozen: true }, REAL)).toEqual({
      mode: 'frozen',
      at: '2027-01-01T09:00:00.000Z',
    });
  });
  it('freezes at the clock’s own now when asked to freeze without a time', () => {
    setClock({ mode: 'offset', offsetMs: 60_000 });
    expect(resolveClock({ frozen: true }, REAL)).toEqual({ mode: 'frozen', at: '2026-10-31T12:01:00.000Z' });
  });
});

describe('now', () => {
  it('is real time until set', () => {
    expect(clockSetting()).toEqual({ mode: 'real' });
    expect(Math.abs(now().getTime() - Date.now())).toBeLessThan(50);
  });
  it('runs ahead by an offset, and real time stays real', () => {
    setClock({ mode: 'offset', offsetMs: 10 * 86_400_000 });
    expect(Math.abs(now().getTime() - (Date.now() + 10 * 86_400_000))).toBeLessThan(50);
    expect(Math.abs(Date.parse(realNowIso()) - Date.now())).toBeLessThan(50);
  });
  it('stands still when frozen, in every form it is read', async () => {
    setClock({ mode: 'frozen', at: '2027-01-01T09:00:00.000Z' });
    await new Promise((r) => setTimeout(r, 20));
    expect(nowIso()).toBe('2027-01-01T09:00:00.000Z');
    expect(nowSeconds()).toBe(Date.parse('2027-01-01T09:00:00Z') / 1000);
    expect(clockState()).toEqual({
      now: '2027-01-01T09:00:00.000Z',
      setting: { mode: 'frozen', at: '2027-01-01T09:00:00.000Z' },
    });
  });
  it('refuses a setting that is not one', () => {
    expect(() => setClock({ mode: 'offset', offsetMs: 0.5 })).toThrow();
    expect(clockSetting()).toEqual({ mode: 'real' });
  });
});
