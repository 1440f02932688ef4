import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Kysely } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { migrations, type LspDatabase } from '../src/migrations.js';
import { createSubscriptionStore } from '../src/subscriptions.js';

// Two switch-point processes (replicas) on one store share the notifications' outbox: each notification
// is claimed by one of them only, so it is attempted once per turn (docs/deployment.md).
describe('the subscription outbox shared by two processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schakel-subscriptions-'));
  const file = join(dir, 'lsp.sqlite');
  let one: Kysely<LspDatabase>;
  let other: Kysely<LspDatabase>;
  beforeAll(async () => {
    one = await openStore<LspDatabase>({ database: file, migrations });
    other = await openStore<LspDatabase>({ database: file, migrations });
  });
  afterAll(async () => {
    await one.destroy();
    await other.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A subscription of the test pharmacy, and one notification of a change queued for it. */
  async function oneNotification(a: ReturnType<typeof createSubscriptionStore>) {
    const bsn = freshBsn();
    await a.create({
      subscriberApplicationId: '200001',
      subscriberUra: '02000001',
      subscriberType: 'J8',
      bsn,
      criteria: `Consent?patient=${bsn}`,
      reason: 'test',
      endpoint: 'https://127.0.0.1:1/notify',
      payload: 'full-resource',
    });
    const queued = await a.changed({
      id: 1,
      bsn,
      state: 'objection',
      holder: { ura: '02000001' },
      category: 'MEDVERSTREKKING',
      consumerType: '*',
      recordedBy: 'patient',
      channel: 'portal',
      recordedAt: new Date().toISOString(),
    });
    expect(queued).toBe(1);
  }

  it('lets only one of them claim a due notification', async () => {
    const a = createSubscriptionStore(one);
    const b = createSubscriptionStore(other);
    await oneNotification(a);
    // Both look at the same moment: both see the notification due, one claims it.
    const [byA, byB] = await Promise.all([a.queue.claimDue(10, 60_000), b.queue.claimDue(10, 60_000)]);
    expect(byA.length + byB.length).toBe(1);
    expect([...byA, ...byB][0]?.attempts).toBe(1);
  });

  it('leaves a notification another replica is delivering alone when a replica starts', async () => {
    const a = createSubscriptionStore(one);
    const b = createSubscriptionStore(other);
    await oneNotification(a);
    const [claimed] = await a.queue.claimDue(10, 60_000);
    expect(claimed).toBeDefined();
    // Replica b (re)starts while a delivers: its start-up recovery must not put a's attempt back in line.
    expect(await b.recover()).toBe(0);
    expect(await b.queue.claimDue(10, 60_000)).toEqual([]);
    await a.queue.delivered(claimed?.messageId ?? '', { status: 200 });
    expect(await b.queue.claimDue(10, 60_000)).toEqual([]);
  });
});
