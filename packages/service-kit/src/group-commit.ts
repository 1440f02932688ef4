/**
 * Group commit for an append-only log whose entries must be durable before the answer that needs them
 * leaves (a source's log, like the switch point's access log): the entries of the requests that finish while
 * a group commits go together into the next transaction (one commit instead of one per request). Each
 * `append` resolves only once its transaction committed, so nothing answered is lost on kill -9: what was
 * pending then belonged to requests that had not answered. When a group fails, each entry is tried on its
 * own, so one bad entry does not take the others with it.
 */
export function groupCommit<E>(commitAll: (entries: E[]) => Promise<void>): (entry: E) => Promise<void> {
  let group: { entry: E; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let committing = false;
  async function commit(batch: typeof group): Promise<void> {
    try {
      await commitAll(batch.map((w) => w.entry));
      for (const w of batch) w.resolve();
    } catch {
      for (const w of batch) {
        try {
          await commitAll([w.entry]);
          w.resolve();
        } catch (err) {
          w.reject(err);
        }
      }
    }
  }
  function commitGroup(): void {
    if (committing) return; // the running commit takes the next group when it is done
    const batch = group;
    group = [];
    committing = true;
    void commit(batch).finally(() => {
      committing = false;
      if (group.length > 0) setImmediate(commitGroup);
    });
  }
  return (entry) =>
    new Promise((resolve, reject) => {
      if (group.push({ entry, resolve, reject }) === 1) setImmediate(commitGroup);
    });
}
