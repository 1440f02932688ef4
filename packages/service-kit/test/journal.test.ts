import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createControls } from '../src/index.js';

/** Just what the journal's onResponse hook reads of a request and its reply. */
const exchange = (n: number) => ({
  request: {
    method: 'POST',
    headers: {},
    routeOptions: { url: `/route-${n}`, config: {} },
  } as unknown as FastifyRequest,
  reply: { statusCode: 200, elapsedTime: 1 } as unknown as FastifyReply,
});

describe('the journal of the requests an organisation received', () => {
  it('answers the newest 2,000 entries, oldest first, however many came in', async () => {
    const controls = createControls();
    for (let n = 1; n <= 4_500; n++) {
      const { request, reply } = exchange(n);
      await controls.record(request, reply);
    }
    const { entries } = (await controls.handle({ kind: 'journal.get' })) as { entries: { route: string }[] };
    expect(entries).toHaveLength(2_000);
    expect(entries[0]?.route).toBe('/route-2501');
    expect(entries.at(-1)?.route).toBe('/route-4500');
  });

  it('is empty after a clear', async () => {
    const controls = createControls();
    const { request, reply } = exchange(1);
    await controls.record(request, reply);
    await controls.handle({ kind: 'journal.clear' });
    expect(await controls.handle({ kind: 'journal.get' })).toEqual({ entries: [] });
  });
});
