import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT, SERVICES } from './topology.js';

/**
 * Each service is bundled once per start with esbuild (our TypeScript only; libraries stay external and
 * load from node_modules), so the processes start on plain Node. Loading every module through tsx's
 * hooks cost each process about two seconds of CPU on a separate thread (docs/performance.md), seven
 * times over on two cores. The bundles live in node_modules/.cache so that the libraries resolve.
 */
export const BUNDLE_DIR = resolve(REPO_ROOT, 'node_modules/.cache/schakel-services');

export async function bundleServices(): Promise<Record<string, string>> {
  const services = ['lsp', ...SERVICES, 'console'];
  const result = await build({
    entryPoints: Object.fromEntries(services.map((s) => [s, resolve(REPO_ROOT, 'services', s, 'src/main.ts')])),
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@schakel/source'],
    sourcemap: true,
    write: false,
    logLevel: 'silent',
    outExtension: { '.js': '.mjs' },
    plugins: [
      {
        // Our workspace packages are bundled from source; every other package stays an import.
        name: 'libraries-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@schakel/')
              ? undefined
              : { path: nestedLibrary(args.path, args.resolveDir) ?? args.path, external: true },
          );
        },
      },
    ],
  });
  // Concurrent starts (parallel test files) may bundle at the same time: write aside, then rename.
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
  // Chunks of earlier code versions are named by their content and would pile up: drop those no build
  // has written for ten minutes (a start running right now has written its own moments ago).
  const current = new Set(result.outputFiles.map((f) => f.path));
  for (const name of readdirSync(BUNDLE_DIR)) {
    const path = join(BUNDLE_DIR, name);
    if (!current.has(path) && Date.now() - statSync(path).mtimeMs > 600_000) rmSync(path, { force: true });
  }
  return Object.fromEntries(services.map((s) => [s, join(BUNDLE_DIR, `${s}.mjs`)]));
}

/**
 * A library a workspace has in its own node_modules (another version than the one at the root, e.g. the
 * switch point's ajv 8 beside eslint's ajv 6) is imported by its full path: from the bundle's folder the
 * import would find the root's version.
 */
function nestedLibrary(specifier: string, from: string): string | undefined {
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
