/**
 * Group commit for an append-only log whose entries must be durable before the answer that needs them
 * leaves (a source's log, the switch point's access log): the entries of the requests that finish while a
 * group commits go together into the next transaction (one commit instead of one per request). Each
 * `append` resolves, with what `commitAll` answered for its entry (the access log's id), only once its
 * transaction committed, so nothing answered is lost on kill -9: what was pending then belonged to requests
 * that had not answered. When a group fails, each entry is tried on its own, so one bad entry does not take
 * the others with it.
 */
export function groupCommit<E, R>(commitAll: (entries: E[]) => Promise<R[]>): (entry: E) => Promise<R> {
  let group: { entry: E; resolve: (result: R) => void; reject: (err: unknown) => void }[] = [];
  let committing = false;
  async function commitOne(w: (typeof group)[number]): Promise<void> {
    try {
      const [result] = await commitAll([w.entry]);
      w.resolve(result as R);
    } catch (err) {
      w.reject(err);
    }
  }
  async function commit(batch: typeof group): Promise<void> {
    let results: R[];
    try {
      results = await commitAll(batch.map((w) => w.entry));
    } catch {
      for (const w of batch) await commitOne(w);
      return;
    }
    // commitAll answers one result per entry, in order.
    batch.forEach((w, i) => w.resolve(results[i] as R));
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
