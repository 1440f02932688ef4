import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@schakel/topology';

// The import picture reads contracts -> trust -> kit -> services -> tools (issue #14, item 7): the libraries
// under packages/ know nothing of the services or the tools, and a service's own code (src/) knows nothing
// of the tools that start, seed and measure the whole system. Tests may reach up (a service's tests start a
// switch point through the tools); shipped code may not.
const LAYER_OF_DIR = { packages: 0, services: 1, tools: 2 } as const;
type Layer = keyof typeof LAYER_OF_DIR;

/** Every workspace name (`@schakel/x`) with the layer its folder is in. */
function workspaceLayers(): Map<string, Layer> {
  const layers = new Map<string, Layer>();
  for (const dir of Object.keys(LAYER_OF_DIR) as Layer[]) {
    for (const name of readdirSync(join(REPO_ROOT, dir))) {
      try {
        const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, name, 'package.json'), 'utf8')) as { name?: unknown };
        if (typeof pkg.name === 'string') layers.set(pkg.name, dir);
      } catch {
        // a folder without package.json is no workspace
      }
    }
  }
  return layers;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !e.parentPath.includes('node_modules'))
    .map((e) => join(e.parentPath, e.name));
}

/** What one file imports: package names and repository-relative paths of relative imports. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.map((s) => (s.startsWith('.') ? relative(REPO_ROOT, resolve(dirname(file), s)) : s));
}

function layerOfImport(spec: string, layers: Map<string, Layer>): Layer | undefined {
  const pkg = /^(@schakel\/[\w-]+)/.exec(spec)?.[1];
  if (pkg !== undefined) return layers.get(pkg);
  const top = spec.split('/')[0];
  return top === 'packages' || top === 'services' || top === 'tools' ? top : undefined;
}

describe('layers', () => {
  const layers = workspaceLayers();

  it('knows every workspace by its folder', () => {
    expect(layers.get('@schakel/contracts')).toBe('packages');
    expect(layers.get('@schakel/lsp')).toBe('services');
    expect(layers.get('@schakel/topology')).toBe('tools');
    expect(layerOfImport('@schakel/topology/launcher', layers)).toBe('tools');
    expect(importsOf(join(REPO_ROOT, 'services/gp/src/a.ts'), "import x from '../../../tools/bench/run.js';")).toEqual([
      'tools/bench/run.js',
    ]);
  });

  it('shipped code imports only from its own layer or below', () => {
    const violations: string[] = [];
    for (const top of ['packages', 'services'] as const) {
      for (const ws of readdirSync(join(REPO_ROOT, top))) {
        let files: string[];
        try {
          files = sourceFiles(join(REPO_ROOT, top, ws, 'src'));
        } catch {
          continue;
        }
        for (const file of files) {
          for (const spec of importsOf(file, readFileSync(file, 'utf8'))) {
            const layer = layerOfImport(spec, layers);
            if (layer !== undefined && LAYER_OF_DIR[layer] > LAYER_OF_DIR[top]) {
              violations.push(`${relative(REPO_ROOT, file)} imports ${spec} (${layer})`);
            }
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
