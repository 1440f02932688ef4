import { spawnSync } from 'node:child_process';
import { ADMIN_URL, postgresUnavailable } from './database.js';

/**
 * `npm run test:postgres`: the PostgreSQL test project (vitest.config.ts, project "postgres") when a server
 * answers at SCHAKEL_TEST_DATABASE_URL; otherwise it says why and passes, so a laptop without PostgreSQL
 * stays green. CI installs and starts one first (.ci/run), and sets SCHAKEL_REQUIRE_POSTGRES=1 so a
 * server that is missing there fails instead.
 */
const reason = await postgresUnavailable();
if (reason !== undefined) {
  if (process.env['SCHAKEL_REQUIRE_POSTGRES'] === '1') {
    console.error(`PostgreSQL tests cannot run: ${reason}`);
    process.exit(1);
  }
  console.log(`PostgreSQL tests skipped: ${reason}`);
  process.exit(0);
}
console.log(`PostgreSQL tests against ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')}`);
const run = spawnSync('npx', ['vitest', 'run', '--project', 'postgres', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, SCHAKEL_DB: 'postgres' },
});
process.exit(run.status ?? 1);
