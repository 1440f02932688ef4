import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { z } from 'zod';
import { notFound } from '@schakel/contracts';
import type { RoutePlugin } from '@schakel/service-kit';

/** The three files the pages load, from local files (no CDN: the console works offline). A fixed list, no file server. */
export const assetRoutes: RoutePlugin<{ publicDir: string }> = async (app, { publicDir }) => {
  const require = createRequire(import.meta.url);
  const files: Record<string, { type: string; body: string }> = {
    'htmx.min.js': {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8'),
    },
    'console.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(publicDir, 'console.js'), 'utf8') },
    'console.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(publicDir, 'console.css'), 'utf8') },
  };
  app.get(
    '/assets/:file',
    { schema: { hide: true, params: z.object({ file: z.string() }) } },
    async (request, reply) => {
      const f = files[request.params.file];
      if (f === undefined) throw notFound(`Asset ${request.params.file}`);
      return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
    },
  );
};
