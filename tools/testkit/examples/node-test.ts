import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSchakel, type Schakel } from '@schakel/testkit';

let schakel: Schakel;
before(async () => {
  schakel = await startSchakel({ seed: false });
});
after(async () => schakel?.stop());

void test('a stopped pharmacy is stopped until it is started, on the same URL', async () => {
  const url = schakel.urls['apotheek-zuid'];
  const stopped = await schakel.control.stop('apotheek-zuid');
  assert.equal(stopped.find((p) => p.id === 'apotheek-zuid')?.state, 'stopped');
  const started = await schakel.control.start('apotheek-zuid');
  assert.equal(started.find((p) => p.id === 'apotheek-zuid')?.url, url);
});

void test('snapshots and reset wait until every process runs again', async () => {
  await schakel.control.snapshot('before');
  const processes = await schakel.control.restore('before');
  assert.ok(processes.every((p) => p.state === 'running'));
});
