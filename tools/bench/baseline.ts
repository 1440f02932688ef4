import { fileURLToPath } from 'node:url';
import { forkReady, stopChild, type Child } from './children.js';
import { transportEnv, type Transport } from './transport.js';

const entry = (name: string) => fileURLToPath(new URL(`./baseline/${name}.ts`, import.meta.url));

export interface RunningBaseline {
  url: string;
  pids: Record<string, number>;
  close: () => Promise<void>;
}

/**
 * The bare comparison: two minimal upstreams and a minimal undici fan-out proxy, each its own process on
 * an ephemeral 127.0.0.1 port, like the topology. `answer` is what each upstream sends back, taken from a
 * real pharmacy answer so the bytes on the wire match.
 */
export async function startBaseline(transport: Transport, answer: string): Promise<RunningBaseline> {
  const env = transportEnv(transport);
  const started: Child[] = [];
  try {
    const a = await forkReady(entry('upstream'), { ...env, BENCH_ANSWER: answer });
    started.push(a);
    const b = await forkReady(entry('upstream'), { ...env, BENCH_ANSWER: answer });
    started.push(b);
    const proxy = await forkReady(entry('proxy'), { ...env, BENCH_UPSTREAMS: `${a.url},${b.url}` });
    started.push(proxy);
    return {
      url: `${proxy.url}/queries/medication`,
      pids: { proxy: proxy.pid, 'upstream-a': a.pid, 'upstream-b': b.pid },
      close: async () => {
        await Promise.all(started.map((c) => stopChild(c.child)));
      },
    };
  } catch (err) {
    await Promise.all(started.map((c) => stopChild(c.child)));
    throw err;
  }
}
