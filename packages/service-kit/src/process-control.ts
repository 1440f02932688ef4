import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ClockSetting, problem, setClock } from '@schakel/contracts';
import type { Controls, OrganisationCommand } from './controls.js';

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
  action: ProcessAction | 'list' | 'command' | 'snapshot' | 'snapshots' | 'restore' | 'clock';
  id?: string;
  /** With snapshot and restore: the snapshot's name. */
  name?: string;
  /** With action 'command': what the organisation's controls should do. */
  command?: OrganisationCommand;
  /** With action 'clock': the clock every process gets now and at every (re)start. */
  clock?: ClockSetting;
}
export type ControlReply = { type: 'schakel:control-reply'; requestId: string } & (
  | { ok: true; processes: ProcessInfo[]; result?: unknown }
  | { ok: false; code: 'NOT_FOUND' | 'CONFLICT' | 'SNAPSHOTS_UNSUPPORTED'; detail: string }
);

/** The launcher to one organisation's process, and back. */
export interface CommandMessage {
  type: 'schakel:command';
  requestId: string;
  command: OrganisationCommand;
}
export interface CommandReply {
  type: 'schakel:command-reply';
  requestId: string;
  result: unknown;
}

export interface ProcessControl {
  list(): Promise<ProcessInfo[]>;
  act(id: string, action: ProcessAction): Promise<ProcessInfo[]>;
  command(id: string, command: OrganisationCommand): Promise<unknown>;
  /** The launcher's answer to snapshot, snapshots or restore (see the launcher's handle). */
  store(action: 'snapshot' | 'snapshots' | 'restore', name?: string): Promise<unknown>;
  /** Give every process this clock, now and whenever the launcher (re)starts one. */
  clock(setting: ClockSetting): Promise<void>;
}

/** Set by the launcher in the environment of the processes it starts (one service each). */
export const LAUNCHED_ENV = 'SCHAKEL_LAUNCHED';
/**
 * The clock setting (ClockSetting as JSON) the launcher gives a process it (re)starts, so that a restarted
 * organisation keeps the clock the others have (docs/control.md, "Clock"). Empty or unset: real time.
 */
export const CLOCK_ENV = 'SCHAKEL_CLOCK';

/**
 * In a process the launcher started: carry out its commands on this app's controls. Returns an
 * unsubscribe. Elsewhere (a test runner's worker holding several apps) it does nothing.
 */
export function answerCommands(controls: Controls): () => void {
  const send = process.send?.bind(process);
  if (send === undefined || process.env[LAUNCHED_ENV] !== '1') return () => undefined;
  const clock = process.env[CLOCK_ENV];
  if (clock !== undefined && clock !== '') setClock(ClockSetting.parse(JSON.parse(clock)));
  const onMessage = async (m: unknown) => {
    const message = m as Partial<CommandMessage>;
    if (message.type !== 'schakel:command' || message.command === undefined || message.requestId === undefined) return;
    let result: unknown;
    try {
      result = await controls.handle(message.command);
    } catch (err) {
      result = { error: err instanceof Error ? err.message : String(err) };
    }
    const reply: CommandReply = { type: 'schakel:command-reply', requestId: message.requestId, result };
    send(reply);
  };
  const listener = (m: unknown) => void onMessage(m);
  process.on('message', listener);
  return () => process.off('message', listener);
}

/** The launcher on the other end of this process's IPC channel, or undefined when none started us. */
export function launcherControl(timeoutMs = 30_000): ProcessControl | undefined {
  const send = process.send?.bind(process);
  if (send === undefined || process.env[LAUNCHED_ENV] !== '1') return undefined;
  const ask = (
    action: ControlRequest['action'],
    id?: string,
    command?: OrganisationCommand,
    name?: string,
    clock?: ClockSetting,
  ) =>
    new Promise<{ processes: ProcessInfo[]; result?: unknown }>((resolve, reject) => {
      const requestId = randomUUID();
      const onMessage = (m: unknown) => {
        const reply = m as Partial<ControlReply>;
        if (reply.type !== 'schakel:control-reply' || reply.requestId !== requestId) return;
        done();
        const r = reply as ControlReply;
        if (r.ok) resolve(r);
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
        ...(command !== undefined ? { command } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(clock !== undefined ? { clock } : {}),
      };
      send(request);
    });
  return {
    list: async () => (await ask('list')).processes,
    act: async (id, action) => (await ask(action, id)).processes,
    command: async (id, command) => (await ask('command', id, command)).result,
    store: async (action, name) => (await ask(action, undefined, undefined, name)).result,
    clock: async (setting) => {
      await ask('clock', undefined, undefined, undefined, setting);
    },
  };
}
