import { Policies as PolicySwitches } from '@schakel/contracts';
import { nowIso, pick, prepare, type App, type Kysely } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import { caller } from './auth.js';
import { createChangeWatch, readModel } from './read-model.js';
import { DEFAULT_POLICIES, type Policies } from './authorisation/consent-rules.js';

/** The switchable policies, stored so that every switch-point process sharing the store sees a change. */
export function createPolicyStore(db: Kysely<LspDatabase>, defaults: Policies = DEFAULT_POLICIES) {
  const select = prepare<{ name: string; enabled: number }>(db, 'SELECT name, enabled FROM policies');
  const model = readModel(createChangeWatch(db), ['policies'], async () => {
    const rows = await select.all();
    const out = { ...defaults };
    for (const r of rows) if (r.name in out) out[r.name as keyof Policies] = r.enabled === 1;
    return out;
  });
  const policies = { get: async () => model.get() };
  const listeners: ((before: Policies, after: Policies) => Promise<void>)[] = [];
  return {
    current: () => policies.get(),
    async set(change: Partial<Policies>, by: string): Promise<void> {
      const before = await policies.get();
      // A Partial may carry an explicit undefined: that leaves the policy as it is.
      for (const [name, enabled] of Object.entries<boolean | undefined>(change)) {
        if (enabled === undefined) continue;
        const row = { name, enabled: enabled ? 1 : 0, changed_at: nowIso(), changed_by: by };
        await db
          .insertInto('policies')
          .values(row)
          .onConflict((oc) => oc.column('name').doUpdateSet(row))
          .execute();
      }
      const after = await policies.get();
      for (const listener of listeners) await listener(before, after);
    },
    /** Called after every change, with the policies before and after it (awaited: the change is done when they are). */
    onChange(listener: (before: Policies, after: Policies) => Promise<void>): void {
      listeners.push(listener);
    },
  };
}
export type PolicyStore = ReturnType<typeof createPolicyStore>;

export function policyRoutes(app: App, store: PolicyStore): void {
  app.get(
    '/admin/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'The policy switches in force (operator only)',
        response: { 200: PolicySwitches, ...pick(403) },
      },
    },
    async () => store.current(),
  );
  app.put(
    '/admin/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'Switch policies (operator only): corona opt-in, its stop button, presumed consent',
        body: PolicySwitches.partial().strict(),
        response: { 200: PolicySwitches, ...pick(400, 403) },
      },
    },
    async (request) => {
      await store.set(request.body, caller(request).subject);
      request.log.warn({ change: request.body }, 'policies switched');
      return store.current();
    },
  );
}
