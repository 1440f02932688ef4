import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { problem } from '@schakel/contracts';

/**
 * Process control between the switch point and the launcher that started it (issue #14): the operator
 * asks the switch point (admin certificate), the switch point asks its parent over the IPC channel that
 * child_process.fork gives it, and the launcher acts on its children. Without a launcher there is nothing
 * to control and the switch point says so.
 */
export const PROCESS_ACTIONS = ['stop', 'start', 'restart', 'pause', 'resume'] as const;
export type ProcessAction = (typeof PROCESS_ACTIONS)[number];

export const ProcessInfo = z.object({
  id: z.string(),
  service: z.string(),
  name: z.string(),
  url: z.string(),
  state: z.enum(['running', 'stopped', 'paused']),
  pid: z.number().int().optional(),
  restarts: z.number().int().describe('how often the supervisor restarted it after a crash'),
});
export type ProcessInfo = z.infer<typeof ProcessInfo>;
export const ProcessList = z.object({ processes: z.array(ProcessInfo) });

export interface ControlRequest {
  type: 'schakel:control';
  requestId: string;
  action: ProcessAction | 'list';
  id?: string;
}
export type ControlReply = { type: 'schakel:control-reply'; requestId: string } & (
  { ok: true; processes: ProcessInfo[] } | { ok: false; code: 'NOT_FOUND' | 'CONFLICT'; detail: string }
);

export interface ProcessControl {
  list(): Promise<ProcessInfo[]>;
  act(id: string, action: ProcessAction): Promise<ProcessInfo[]>;
}

/** The launcher on the other end of this process's IPC channel, or undefined when none started us. */
export function launcherControl(timeoutMs = 30_000): ProcessControl | undefined {
  const send = process.send?.bind(process);
  if (send === undefined) return undefined;
  const ask = (action: ControlRequest['action'], id?: string) =>
    new Promise<ProcessInfo[]>((resolve, reject) => {
      const requestId = randomUUID();
      const onMessage = (m: unknown) => {
        const reply = m as Partial<ControlReply>;
        if (reply.type !== 'schakel:control-reply' || reply.requestId !== requestId) return;
        done();
        const r = reply as ControlReply;
        if (r.ok) resolve(r.processes);
        else reject(problem(r.code, r.detail));
      };
      const timer = setTimeout(() => {
        done();
        reject(problem('UPSTREAM_TIMEOUT', `The launcher did not carry out "${action}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        process.off('message', onMessage);
      };
      process.on('message', onMessage);
      const request: ControlRequest = {
        type: 'schakel:control',
        requestId,
        action,
        ...(id !== undefined ? { id } : {}),
      };
      send(request);
    });
  return { list: () => ask('list'), act: (id, action) => ask(action, id) };
}
