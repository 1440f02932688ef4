import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createFuzzer } from './campaign.js';
import { describeAnswer, describeCase, summary } from './report.js';
import { startFuzzTopology } from './services.js';
import { judge } from './verdict.js';

const USAGE = `npm run fuzz -- [options]

The long fuzz run: the same cases as the bounded one in npm test, many more of them.

  --runs N          requests to send (default 10000)
  --seed S          seed of the case stream (default: random, printed)
  --case I          send only case I of seed S, print it in full with its answer and verdict
  --concurrency C   requests in flight (default 8)
  --help`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    case: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const int = (name: string, text: string | undefined) => {
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw new Error(`--${name} must be a whole number, not ${String(text)}`);
  return v;
};
const seed = values.seed !== undefined ? int('seed', values.seed) : randomInt(2 ** 31);

const topology = await startFuzzTopology();
const fuzzer = await createFuzzer(topology);
let failed: boolean;
try {
  if (values.case !== undefined) {
    const c = fuzzer.plan.caseAt(seed, int('case', values.case));
    const answer = await fuzzer.sendCase(c);
    const failures = judge(c, answer);
    process.stdout.write(
      `${describeCase(c)}\n→ ${describeAnswer(answer)}\n${failures.map((f) => `FAIL ${f.key}`).join('\n') || 'ok'}\n`,
    );
    failed = failures.length > 0;
  } else {
    const runs = int('runs', values.runs);
    process.stdout.write(
      `Fuzzing ${fuzzer.plan.operations.length} operations of ${topology.targets.length} services with seed ${seed}, ${runs} requests\n`,
    );
    const tally = await fuzzer.run({
      seed,
      runs,
      concurrency: int('concurrency', values.concurrency),
      onProgress: (done) => {
        if (done % 1000 === 0) process.stdout.write(`  ${done} sent\n`);
      },
    });
    const health = await fuzzer.health();
    const down = health.filter((h) => h.status !== 200);
    process.stdout.write(
      `\n${summary(tally)}\n\nGET /health afterwards: ${health.map((h) => `${h.service} ${h.status}`).join(', ')}\n`,
    );
    failed = tally.failing > 0 || down.length > 0;
  }
} finally {
  await fuzzer.close();
  await topology.close();
}
process.exit(failed ? 1 : 0);
