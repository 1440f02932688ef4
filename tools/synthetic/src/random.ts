import { Faker, base, nl } from '@faker-js/faker';

/**
 * One seeded source of randomness: faker with the Dutch locale, plus the small helpers the generators
 * share. Reseeded per block of patients from (seed, block), so patient n is the same whatever the total.
 */
export function createRandom(seed: number) {
  const faker = new Faker({ locale: [nl, base], seed });
  const r = {
    faker,
    reseed: (...parts: number[]) => void faker.seed([seed, ...parts]),
    /** Uniform in [0, 1). */
    next: () => faker.number.float(),
    chance: (p: number) => faker.number.float() < p,
    int: (min: number, max: number) => faker.number.int({ min, max }),
    pick: <T>(items: readonly T[]): T => items[faker.number.int({ min: 0, max: items.length - 1 })] as T,
    digits: (n: number) => faker.string.numeric({ length: n, allowLeadingZeros: true }),
    /** A value between min and max, rounded to `decimals`. */
    between: (min: number, max: number, decimals = 0) => {
      const f = 10 ** decimals;
      return Math.round((min + faker.number.float() * (max - min)) * f) / f;
    },
  };
  return r;
}
export type Random = ReturnType<typeof createRandom>;

/** YYYY-MM-DD arithmetic in UTC. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
/** A date uniformly between from and to (inclusive); `to` when the range is empty. */
export function dateBetween(r: Random, from: string, to: string): string {
  const span = daysBetween(from, to);
  return span <= 0 ? to : addDays(from, r.int(0, span));
}
