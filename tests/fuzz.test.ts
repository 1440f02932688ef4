import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFuzzer, type Fuzzer } from './fuzz/campaign.js';
import { CASE_KINDS } from './fuzz/cases.js';
import { operationName } from './fuzz/openapi.js';
import { describeClass, summary } from './fuzz/report.js';
import { startFuzzTopology, type FuzzTopology } from './fuzz/services.js';
import { createTally, type Tally } from './fuzz/tally.js';
import { RULES, type Rule } from './fuzz/verdict.js';

/**
 * The bounded fuzz of `npm test` (issue #10 item 7): a fixed seed, so a regression shows the same way on
 * every run, and a random one, logged, so each run also looks somewhere new. `npm run fuzz` sends the same
 * cases by the ten thousand (tests/fuzz/run.ts); FUZZ_RUNS and FUZZ_SEED change this file's share.
 */
const FIXED_SEED = 20_260_610;
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_600);
const FIXED_RUNS = Math.ceil(RUNS * 0.75);
const RANDOM_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);

let topology: FuzzTopology;
let fuzzer: Fuzzer;
let tally: Tally;

beforeAll(
  async () => {
    topology = await startFuzzTopology();
    fuzzer = await createFuzzer(topology);
    console.info(
      `fuzz: ${RUNS} requests, seeds ${FIXED_SEED} (fixed) and ${RANDOM_SEED} (random; rerun with FUZZ_SEED=${RANDOM_SEED})`,
    );
    tally = createTally();
    await fuzzer.run({ seed: FIXED_SEED, runs: FIXED_RUNS, tally });
    await fuzzer.run({ seed: RANDOM_SEED, runs: RUNS - FIXED_RUNS, tally });
    console.info(
      tally.failing > 0
        ? summary(tally)
        : `fuzz: ${tally.requests} requests in ${tally.seconds().toFixed(1)} s, no failures`,
    );
  },
  60_000 + RUNS * 50,
);

afterAll(async () => {
  await fuzzer?.close();
  await topology?.close();
});

/** The failure classes of these rules, one line each with a reproduction. */
const broken = (...rules: Rule[]) =>
  tally
    .classes()
    .filter((c) => rules.includes(c.rule))
    .map(describeClass);

describe('fuzzing every operation of every service from its OpenAPI document', () => {
  it('sends every kind of odd request, and reaches every operation', () => {
    expect([...tally.kinds.keys()].sort()).toEqual([...CASE_KINDS].sort());
    expect(fuzzer.plan.operations.map(operationName).filter((op) => !tally.operations.has(op))).toEqual([]);
  });

  it('only generates requests a client can send', () => {
    expect(broken(RULES.unsendable)).toEqual([]);
  });

  it('always gets an answer, and never a 5xx', () => {
    expect(broken(RULES.noAnswer, RULES.serverError)).toEqual([]);
  });

  it('gets every refusal as application/problem+json with a listed code and that code’s status', () => {
    expect(broken(RULES.notProblem, RULES.unlistedCode, RULES.statusDiffers)).toEqual([]);
  });

  it('gets 415 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', () => {
    expect(broken(RULES.not415)).toEqual([]);
  });

  it('gets 405 with an Allow header for a method the path does not have', () => {
    expect(broken(RULES.not405, RULES.noAllow)).toEqual([]);
  });

  it('gets 413 BODY_TOO_LARGE for a body over 1 MiB, as an answer the client can read', () => {
    expect(broken(RULES.not413)).toEqual([]);
  });

  it('never gets malformed JSON accepted', () => {
    expect(broken(RULES.malformedAccepted)).toEqual([]);
  });

  it('finds every service still answering GET /health afterwards', async () => {
    expect(await fuzzer.health()).toEqual(topology.targets.map((t) => ({ service: t.service, status: 200 })));
  });
});
