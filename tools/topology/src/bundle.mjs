// Plain JavaScript, so that `npm start` can bundle (or reuse) the topology CLI itself without a TypeScript
// loader (bin/schakel.mjs); types in bundle.d.mts.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
const SERVICES = ['lsp', 'gp', 'pharmacy', 'hap', 'seh', 'ambulance', 'hospital', 'console'];

/**
 * Each service is bundled with esbuild, our TypeScript and the libraries together, so the processes start
 * on plain Node: loading every module through tsx's hooks cost each process about two seconds of CPU, and
 * resolving and reading the libraries' hundreds of files from node_modules most of a second more, ten
 * times over on two cores (docs/performance.md, "Start-up"). Only what cannot be bundled stays an import
 * (EXTERNAL): a native addon, a library that serves its own files, and undici (below). The bundles live in node_modules/.cache, three
 * folders below the root as tools/topology/src is (topology.ts finds the root from there), and so that
 * those imports resolve. A build is reused while none of its inputs changed (a manifest of their sizes
 * and modification times).
 */
export const BUNDLE_DIR = resolve(REPO_ROOT, 'node_modules/.cache/schakel-services');
const CLI_DIR = resolve(REPO_ROOT, 'node_modules/.cache/schakel-cli');
// undici too: bundled, closing a service's client agent spun the CPU for seconds (its connections'
// destroy callbacks went round), so a stop took longer than the launcher's 5 s grace.
const EXTERNAL = /^(better-sqlite3|@fastify\/swagger-ui|pg-native|undici|esbuild|tsx)(\/|$)/;

/** @returns {Promise<Record<string, string>>} each service's entry file */
export async function bundleServices() {
  await cachedBuild(BUNDLE_DIR, {
    entryPoints: Object.fromEntries(SERVICES.map((s) => [s, resolve(REPO_ROOT, 'services', s, 'src/main.ts')])),
    splitting: true,
  });
  return Object.fromEntries(SERVICES.map((s) => [s, join(BUNDLE_DIR, `${s}.mjs`)]));
}

/** @returns {Promise<string>} the topology CLI (tools/topology/src/cli.ts) as one file for plain Node */
export async function bundleCli() {
  await cachedBuild(CLI_DIR, { entryPoints: { cli: resolve(REPO_ROOT, 'tools/topology/src/cli.ts') } });
  return join(CLI_DIR, 'cli.mjs');
}

/** @param {string} outdir @param {import('esbuild').BuildOptions} specific */
async function cachedBuild(outdir, specific) {
  /** @type {import('esbuild').BuildOptions} */
  const options = {
    ...specific,
    outdir,
    absWorkingDir: REPO_ROOT,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@schakel/source'],
    // Our own sources only in the map: stack traces point into them; the libraries' are on disk.
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    outExtension: { '.js': '.mjs' },
    // Libraries bundled in as CommonJS inside ESM: their `require`s of Node's own modules need one.
    banner: {
      js: "import { createRequire as __schakelRequire } from 'node:module'; const require = __schakelRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'external-libraries',
        setup(b) {
          b.onResolve({ filter: EXTERNAL }, (args) => ({
            path: nestedLibrary(args.path, args.resolveDir) ?? args.path,
            external: true,
          }));
        },
      },
    ],
  };
  const manifestFile = join(outdir, 'manifest.json');
  const key = JSON.stringify([options, EXTERNAL.source, require('esbuild/package.json').version]);
  if (isFresh(manifestFile, key)) return;
  const { build } = await import('esbuild');
  const result = await build(options);
  // Concurrent starts (parallel test files) may bundle at the same time: write aside, then rename.
  const writeAside = (/** @type {string} */ path, /** @type {string | Uint8Array} */ contents) => {
    mkdirSync(dirname(path), { recursive: true });
    const aside = `${path}.${process.pid}.tmp`;
    writeFileSync(aside, contents);
    renameSync(aside, path);
  };
  for (const file of result.outputFiles) writeAside(file.path, file.contents);
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const path = resolve(REPO_ROOT, input);
    const s = statSync(path);
    return [path, s.size, s.mtimeMs];
  });
  const outputs = result.outputFiles.map((f) => f.path);
  writeAside(manifestFile, JSON.stringify({ key, inputs, outputs }));
  // Chunks of earlier code versions are named by their content and would pile up: drop those no build
  // has written for ten minutes (a start running right now has written its own moments ago).
  const current = new Set([...outputs, manifestFile]);
  for (const name of readdirSync(outdir)) {
    const path = join(outdir, name);
    if (!current.has(path) && Date.now() - statSync(path).mtimeMs > 600_000) rmSync(path, { force: true });
  }
}

/** Whether the last build had these options and none of its inputs changed since. */
function isFresh(/** @type {string} */ manifestFile, /** @type {string} */ key) {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    if (manifest.key !== key) return false;
    for (const [path, size, mtimeMs] of manifest.inputs) {
      const s = statSync(path);
      if (s.size !== size || s.mtimeMs !== mtimeMs) return false;
    }
    return manifest.outputs.every((/** @type {string} */ path) => existsSync(path));
  } catch {
    return false;
  }
}

/**
 * A library a workspace has in its own node_modules (another version than the one at the root) is
 * imported by its full path: from the bundle's folder the import would find the root's version.
 * @param {string} specifier @param {string} from
 */
function nestedLibrary(specifier, from) {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
  for (let dir = from; dir.startsWith(REPO_ROOT) && dir !== REPO_ROOT; dir = dirname(dir)) {
    if (!existsSync(join(dir, 'node_modules', name))) continue;
    try {
      return createRequire(join(dir, 'index.js')).resolve(specifier);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
