import FindMyWay from 'find-my-way';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RouteEntry } from './audience.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its audience: for the route-enumeration tests and the docs. */
    routeTable: () => RouteEntry[];
    /** The methods a path takes (the 405 answer's Allow header); empty when no route matches it. */
    allowedMethods: (url: string) => string[];
  }
}

/**
 * Keeps every route the service registers. At start-up it refuses a route registered outside an audience
 * (audience.ts), so that no route exists without the guard of the people it is for. It also knows, for a
 * path that exists under another method, which methods it takes (the 405 answer's Allow header), using the
 * same router Fastify matches with.
 */
export function createRouteTable(app: FastifyInstance) {
  const routes: RouteOptions[] = [];
  const shadow = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true, defaultRoute: () => undefined });
  app.addHook('onRoute', (route) => {
    routes.push(route);
    for (const method of [route.method].flat()) shadow.on(method as 'GET', route.url, () => undefined);
  });
  app.addHook('onReady', async () => {
    const outside = routes.filter((r) => r.config?.audience === undefined).map((r) => `${String(r.method)} ${r.url}`);
    if (outside.length > 0)
      throw new Error(`Routes registered outside an audience (register them inside audience()): ${outside.join(', ')}`);
  });
  app.decorate('routeTable', (): RouteEntry[] =>
    routes.flatMap((r) =>
      [r.method].flat().map((method) => ({
        method,
        url: r.url,
        audience: r.config?.audience ?? 'operations',
        ...(r.config?.interaction !== undefined ? { interaction: r.config.interaction } : {}),
      })),
    ),
  );
  const table = {
    /** The methods a path takes; empty when no route matches it under any method. */
    allowedMethods: (url: string): string[] => METHODS.filter((m) => shadow.find(m, url) !== null),
  };
  // Also for a scope's own not-found handler (a wire that answers its errors in its own format).
  app.decorate('allowedMethods', table.allowedMethods);
  return table;
}
export type RouteTable = ReturnType<typeof createRouteTable>;
