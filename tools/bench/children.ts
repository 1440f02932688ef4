import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** The same flags the launcher gives the services, so the baseline pays the same loader start-up. */
export const TS_EXEC_ARGV = ['--conditions=@schakel/source', '--import', 'tsx'];

export interface Child {
  url: string;
  pid: number;
  child: ChildProcess;
}

/** Forks a TypeScript entry and waits for its { type: 'bench:ready', url } message. */
export async function forkReady(entry: string, env: Record<string, string>, timeoutMs = 30_000): Promise<Child> {
  const child = fork(entry, [], {
    execArgv: TS_EXEC_ARGV,
    env: { ...process.env, ...env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m.type === 'bench:ready' && m.url !== undefined) {
        clearTimeout(timer);
        resolve(m.url);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
  child.removeAllListeners('exit');
  if (child.pid === undefined) throw new Error(`${entry} has no pid`);
  return { url, pid: child.pid, child };
}

/** SIGTERM, then SIGKILL after 5 s, and wait until the child is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
