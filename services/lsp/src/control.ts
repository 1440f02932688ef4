import { z } from 'zod';
import { problem } from '@schakel/contracts';
import { PROCESS_ACTIONS, ProcessList, pick, type App, type ProcessControl } from '@schakel/service-kit';

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
        params: z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/), action: z.enum(PROCESS_ACTIONS) }),
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
}
