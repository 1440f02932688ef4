import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { REPO_ROOT, loadTopology, type Topology } from '@schakel/topology';
import { connectSchakel, type Schakel } from './schakel.js';

export interface SchakelContainerOptions {
  /** An image that holds this repository as the Dockerfile builds it (default: build the repository's Dockerfile). */
  image?: string;
  /** The topology the image runs (default topology/default.json); its ports are published. */
  topology?: Topology;
  /** Seed the demo patients (default true). */
  seed?: boolean;
  sourceTimeoutMs?: number;
  /** How long to wait for everything to be ready (default 180 s: the first build compiles better-sqlite3). */
  startupTimeoutMs?: number;
}

/** Where the image keeps its data: stores, logs, snapshots and the test PKI. */
const DATA = '/data';
/** The line `npm start` prints once every process is ready, seeded, and `start` is saved. */
const RUNNING = /Schakel is running/;

/**
 * Schakel as a Testcontainers module: one container that runs the whole topology the way `npm start`
 * does (the launcher, so process control, faults, snapshots and reset work), its ports published, ready
 * when the launcher says so and the switch point answers /ready. The same interface as startSchakel().
 */
export class SchakelContainer {
  constructor(private readonly options: SchakelContainerOptions = {}) {}

  /** Why this machine cannot run the container (no Docker, Podman, ...), or undefined when it can. */
  static async unavailable(): Promise<string | undefined> {
    try {
      await getContainerRuntimeClient();
      return undefined;
    } catch (err) {
      return `no container runtime found (${err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)})`;
    }
  }

  async start(): Promise<Schakel> {
    const topology = this.options.topology ?? loadTopology();
    const ports = [topology.switchPoint.port, ...topology.organisations.map((o) => o.port)];
    const image =
      this.options.image !== undefined
        ? new GenericContainer(this.options.image)
        : await GenericContainer.fromDockerfile(REPO_ROOT).build('schakel:testkit', { deleteOnExit: false });
    const command = [
      '--conditions=@schakel/source',
      '--import',
      'tsx',
      'tools/topology/src/cli.ts',
      'start',
      '--host',
      '0.0.0.0',
      '--data-dir',
      DATA,
    ];
    if (this.options.seed === false) command.push('--no-seed');
    const files = [];
    if (this.options.topology !== undefined) {
      // The topology travels into the container as a file beside the default one.
      files.push({ content: JSON.stringify(topology), target: '/app/topology/testkit.json' });
      command.push('--topology', 'topology/testkit.json');
    }
    const container: StartedTestContainer = await image
      .withCommand(command)
      .withExposedPorts(...ports)
      .withCopyContentToContainer(files)
      .withWaitStrategy(
        Wait.forAll([
          Wait.forLogMessage(RUNNING),
          Wait.forHttp('/ready', topology.switchPoint.port).usingTls().allowInsecure(),
        ]),
      )
      .withStartupTimeout(this.options.startupTimeoutMs ?? 180_000)
      .start();
    try {
      const host = container.getHost();
      const url = (port: number) => `https://${host}:${container.getMappedPort(port)}`;
      const urls = Object.fromEntries([
        [topology.switchPoint.id, url(topology.switchPoint.port)],
        ...topology.organisations.map((o) => [o.id, url(o.port)]),
      ]);
      // A local copy of the test PKI, so the paths given are files on this machine.
      const dataDir = mkdtempSync(join(tmpdir(), 'schakel-container-'));
      const pkiDir = join(dataDir, 'pki');
      const listed = await container.exec(['find', `${DATA}/pki`, '-type', 'f', '-name', '*.pem']);
      for (const file of listed.output.split('\n').filter((f) => f.length > 0)) {
        const local = join(pkiDir, relative(`${DATA}/pki`, file));
        mkdirSync(dirname(local), { recursive: true });
        writeFileSync(local, (await container.exec(['cat', file])).stdout, { mode: 0o600 });
      }
      const switchPoint = urls[topology.switchPoint.id] as string;
      return await connectSchakel({
        topology,
        switchPoint,
        urls,
        pkiDir,
        dataDir,
        async stop() {
          await container.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    } catch (err) {
      await container.stop();
      throw err;
    }
  }
}
