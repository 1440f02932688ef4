import type { SetClock } from '@schakel/contracts';
import type { Fault, ProcessAction, ProcessInfo } from '@schakel/service-kit';
import { operatorClient } from '@schakel/topology';

/**
 * The operator's control API of a running Schakel (docs/control.md), through the switch point with the
 * admin certificate: the typed client of @schakel/service-kit with the waiting a test needs added, so a
 * restore or reset returns only once every process runs again.
 */
export async function controlClient(pkiDir: string, switchPointUrl: string) {
  const lsp = await operatorClient(pkiDir, switchPointUrl);
  const act = (action: ProcessAction) => (id: string) => lsp.controlProcess(id, action);

  /** Poll the process list until every process runs (a restore restarts the switch point itself too). */
  async function waitUntilRunning(timeoutMs = 60_000): Promise<ProcessInfo[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const processes = await lsp.processes().catch(() => undefined);
      if (processes?.every((p) => p.state === 'running') === true) return processes;
      if (Date.now() > until) throw new Error(`Schakel did not come back within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  async function restore(name: string): Promise<ProcessInfo[]> {
    await lsp.restoreSnapshot(name);
    // The launcher answers first and restarts everything 200 ms later: do not mistake the old processes for the new.
    await new Promise((r) => setTimeout(r, 600));
    return waitUntilRunning();
  }

  return {
    /** Every process (switch point and organisations) with its id, URL, state, pid and restarts. */
    processes: () => lsp.processes(),
    stop: act('stop'),
    start: act('start'),
    restart: act('restart'),
    pause: act('pause'),
    resume: act('resume'),
    /** Make one organisation misbehave towards the switch point until cleared or for `times` requests. */
    setFault: (id: string, fault: Fault) => lsp.setFault(id, fault),
    clearFault: (id: string) => lsp.clearFault(id),
    /** What one organisation received and answered (route patterns, no bodies), oldest first. */
    journal: (id: string) => lsp.journal(id),
    clearJournal: (id: string) => lsp.clearJournal(id),
    /** Record both legs of every exchange through the switch point, until stopRecording(). */
    startRecording: () => lsp.startRecording(),
    /** The recording since startRecording(), every BSN, name and free text pseudonymised (docs/control.md). */
    stopRecording: () => lsp.stopRecording(),
    /** Save every store under a name while everything runs. */
    snapshot: (name: string) => lsp.saveSnapshot(name),
    snapshots: () => lsp.snapshots(),
    /** Put every store back as saved under `name`; resolves once every process runs again. */
    restore,
    /** Back to the state the stack began with (the snapshot `start`, saved once it was ready and seeded). */
    reset: () => restore('start'),
    /** The domain clock of every service: now and its setting. */
    clock: () => lsp.clock(),
    /** Offset (`{ offset: 'P4M' }` or ms), jump (`{ at }`) or freeze (`{ at, frozen: true }`) every service's clock. */
    setClock: (setting: SetClock) => lsp.setClock(setting),
    /** Back to real time everywhere. */
    resetClock: () => lsp.resetClock(),
    waitUntilRunning,
    /** The switch point's own typed client with the admin certificate, for anything not wrapped here. */
    switchPoint: lsp,
    close: () => lsp.close(),
  };
}
export type ControlClient = Awaited<ReturnType<typeof controlClient>>;
