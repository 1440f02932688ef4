import { z } from 'zod';
import { ClockState, SetClock, clockState, problem, resolveClock, setClock } from '@schakel/contracts';
import {
  Fault,
  JournalEntry,
  PROCESS_ACTIONS,
  ProcessList,
  Recording,
  assembleRecording,
  pick,
  type CapturedExchange,
  type App,
  type OrganisationCommand,
  type ProcessControl,
} from '@schakel/service-kit';

const Id = z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/) });
const FaultState = z.object({ fault: Fault.nullable() });
const Journal = z.object({ entries: z.array(JournalEntry) });

/**
 * The operator's process control (issue #14): list the topology's processes and stop, start, restart,
 * pause or resume one organisation. The launcher does the work; the switch point only passes the
 * operator's request on (and will not stop itself: Ctrl-C or the launcher's handle does that).
 */
export function controlRoutes(app: App, control: ProcessControl | undefined): void {
  const launcher = (): ProcessControl => {
    if (control === undefined)
      throw problem('NO_LAUNCHER', 'This switch point runs on its own: start the topology with npm start');
    return control;
  };
  app.get(
    '/control/processes',
    {
      schema: {
        tags: ['control'],
        summary: 'The processes of the topology, with their state (operator only)',
        response: { 200: ProcessList, ...pick(403, 409) },
      },
    },
    async () => ({ processes: await launcher().list() }),
  );
  app.post(
    '/control/processes/:id/:action',
    {
      schema: {
        tags: ['control'],
        summary: 'Stop, start, restart, pause (SIGSTOP: a hung system) or resume one organisation (operator only)',
        params: Id.extend({ action: z.enum(PROCESS_ACTIONS) }),
        response: { 200: ProcessList, ...pick(400, 403, 404, 409, 504) },
      },
    },
    async (request) => {
      const { id, action } = request.params;
      const processes = await launcher().act(id, action);
      request.log.warn({ process: id, action }, 'operator process control');
      return { processes };
    },
  );

  const command = async (id: string, c: OrganisationCommand) => launcher().command(id, c);
  const errors = pick(400, 403, 404, 409, 504);
  app.put(
    '/control/faults/:id',
    {
      schema: {
        tags: ['control'],
        summary:
          'Make one organisation misbehave towards the switch point until cleared or for N requests (operator only)',
        params: Id,
        body: Fault,
        response: { 200: FaultState, ...errors },
      },
    },
    async (request) => {
      const result = await command(request.params.id, { kind: 'fault.set', fault: request.body });
      request.log.warn({ process: request.params.id, fault: request.body.kind }, 'operator fault set');
      return FaultState.parse(result);
    },
  );
  app.get(
    '/control/faults/:id',
    {
      schema: {
        tags: ['control'],
        summary: 'The fault in force at one organisation (operator only)',
        params: Id,
        response: { 200: FaultState, ...errors },
      },
    },
    async (request) => FaultState.parse(await command(request.params.id, { kind: 'fault.get' })),
  );
  app.delete(
    '/control/faults/:id',
    {
      schema: {
        tags: ['control'],
        summary: 'Clear the fault at one organisation (a `down` one is started again) (operator only)',
        params: Id,
        response: { 200: FaultState, ...errors },
      },
    },
    async (request) => FaultState.parse(await command(request.params.id, { kind: 'fault.clear' })),
  );
  app.get(
    '/control/journals/:id',
    {
      schema: {
        tags: ['control'],
        summary:
          'What one organisation received and answered, oldest first: route patterns and ids, no bodies (operator only)',
        params: Id,
        response: { 200: Journal, ...errors },
      },
    },
    async (request) => Journal.parse(await command(request.params.id, { kind: 'journal.get' })),
  );
  app.delete(
    '/control/journals/:id',
    {
      schema: {
        tags: ['control'],
        summary: 'Empty one organisation’s journal (operator only)',
        params: Id,
        response: { 200: Journal, ...errors },
      },
    },
    async (request) => Journal.parse(await command(request.params.id, { kind: 'journal.clear' })),
  );

  // Record and replay: every process keeps the legs it received, with bodies, in memory; the switch point
  // collects them on stop and pseudonymises the lot before anything leaves it (docs/control.md).
  let recordingSince: string | undefined;
  const Started = z.object({ recording: z.literal(true), since: z.string(), processes: z.array(z.string()) });
  app.post(
    '/control/recording/start',
    {
      schema: {
        tags: ['control'],
        summary:
          'Start recording both legs of every exchange through the switch point, bodies included (operator only)',
        response: { 200: Started, ...errors },
      },
    },
    async (request) => {
      const running = (await launcher().list()).filter((p) => p.state === 'running');
      await Promise.all(running.map((p) => command(p.id, { kind: 'recording.start' })));
      recordingSince = new Date().toISOString();
      request.log.warn({ processes: running.length }, 'operator recording started');
      return { recording: true as const, since: recordingSince, processes: running.map((p) => p.id) };
    },
  );
  app.post(
    '/control/recording/stop',
    {
      schema: {
        tags: ['control'],
        summary: 'Stop recording and answer the recording, every BSN, name and free text pseudonymised (operator only)',
        response: { 200: Recording, ...errors },
      },
    },
    async (request) => {
      if (recordingSince === undefined)
        throw problem('NOT_RECORDING', 'No recording runs: start one with POST /control/recording/start');
      const processes = await launcher().list();
      const switchPoint = processes.find((p) => p.service === 'lsp')?.id ?? 'lsp';
      const missing: string[] = [];
      const captured = await Promise.all(
        processes.map(async (p) => {
          const result = await command(p.id, { kind: 'recording.stop' }).catch(() => undefined);
          if (result === undefined) missing.push(p.id);
          return { org: p.id, exchanges: (result as { exchanges?: CapturedExchange[] } | undefined)?.exchanges ?? [] };
        }),
      );
      const recording = assembleRecording({
        startedAt: recordingSince,
        switchPoint,
        processes: processes.map((p) => ({ id: p.id, service: p.service, name: p.name })),
        captured,
        missing,
      });
      recordingSince = undefined;
      request.log.warn({ exchanges: recording.exchanges.length }, 'operator recording stopped');
      return recording;
    },
  );

  const Name = z.object({ name: z.string().regex(/^[a-z0-9-]{1,40}$/) });
  const Saved = z.object({ name: z.string(), files: z.array(z.string()) });
  const Restoring = z.object({ name: z.string(), restoring: z.literal(true) });
  app.get(
    '/control/snapshots',
    {
      schema: {
        tags: ['control'],
        summary: 'The saved snapshots (operator only)',
        response: { 200: z.object({ names: z.array(z.string()) }), ...errors },
      },
    },
    async () => z.object({ names: z.array(z.string()) }).parse(await launcher().store('snapshots')),
  );
  app.post(
    '/control/snapshots/:name',
    {
      schema: {
        tags: ['control'],
        summary: 'Save every organisation’s store at once under a name, while everything runs (operator only)',
        params: Name,
        response: { 200: Saved, ...errors },
      },
    },
    async (request) => {
      const saved = Saved.parse(await launcher().store('snapshot', request.params.name));
      request.log.warn({ snapshot: saved.name, files: saved.files.length }, 'operator snapshot saved');
      return saved;
    },
  );
  app.post(
    '/control/snapshots/:name/restore',
    {
      schema: {
        tags: ['control'],
        summary:
          'Put every store back as in the snapshot: all processes stop and start again, this switch point too; poll GET /control/processes until all run (operator only)',
        params: Name,
        response: { 202: Restoring, ...errors },
      },
    },
    async (request, reply) => {
      const restoring = Restoring.parse(await launcher().store('restore', request.params.name));
      request.log.warn({ snapshot: restoring.name }, 'operator restore started');
      return reply.code(202).send(restoring);
    },
  );

  // The clock (docs/control.md, "Clock"): the launcher keeps the setting, gives it to every process now and
  // to each one it (re)starts. A switch point on its own (in-process tests) sets its own process's clock,
  // which every app in that process shares: all services at once there too.
  const applyClock = async (setting: ClockState['setting']) => {
    if (control === undefined) setClock(setting);
    else await control.clock(setting);
    return clockState();
  };
  app.get(
    '/control/clock',
    {
      schema: {
        tags: ['control'],
        summary: 'The domain clock: now, and whether it is real, offset or frozen (operator only)',
        response: { 200: ClockState, ...pick(403) },
      },
    },
    async () => clockState(),
  );
  app.put(
    '/control/clock',
    {
      schema: {
        tags: ['control'],
        summary:
          'Move the domain clock of every service at once: an offset from real time (ISO duration or ms), a time to jump to, or a frozen time (operator only)',
        body: SetClock,
        response: { 200: ClockState, ...errors },
      },
    },
    async (request) => {
      const state = await applyClock(resolveClock(request.body));
      request.log.warn({ clock: state.setting }, 'operator clock set');
      return state;
    },
  );
  app.delete(
    '/control/clock',
    {
      schema: {
        tags: ['control'],
        summary: 'Back to real time, in every service (operator only)',
        response: { 200: ClockState, ...errors },
      },
    },
    async (request) => {
      const state = await applyClock({ mode: 'real' });
      request.log.warn('operator clock reset to real time');
      return state;
    },
  );
}
