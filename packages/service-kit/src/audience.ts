import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { App } from './app.js';

/**
 * Who may call a route is decided by where the route is registered, never by its URL (docs/security.md,
 * "Who may call what").
 * Each audience is an encapsulated plugin with its own onRequest hook: the router first decides which
 * route a request is for (after percent-decoding, exactly as it matches), and only then runs the hooks
 * of the plugin that route was registered in. So no spelling of a path can reach a route without its
 * guard, and a route cannot forget one: it joins an audience by being registered inside it.
 */
export type AudienceName =
  | 'operations'
  | 'system'
  | 'operator'
  | 'portal'
  | 'portal-login'
  | 'switch-point-legs'
  | 'front-office'
  | 'front-office-login'
  | 'referrers'
  | 'console';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The audience the route was registered in (set by `audience()`; 'operations' for the kit's own). */
    audience?: AudienceName;
    /** The AORTA interaction (or operation) the route serves: for the access log, also of refusals. */
    interaction?: string;
    /** The data category the route touches, where there is one. */
    category?: string;
  }
}

export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Register `routes` as one audience behind `guard`. */
export async function audience(
  app: App,
  name: AudienceName,
  guard: Guard,
  routes: (scope: App) => void | Promise<void>,
): Promise<void> {
  await app.register(async (scope) => {
    const child = scope as unknown as App;
    child.addHook('onRoute', (route: RouteOptions) => {
      route.config = { ...(route.config as object), audience: name };
    });
    child.addHook('onRequest', guard);
    // The legs the switch point calls are where the operator's faults act (controls.ts): after the guard,
    // so a fault never lets a caller past it.
    if (name === 'switch-point-legs') child.addHook('onRequest', child.controls.applyFault);
    await routes(child);
  });
}

/** A registered route as the enumeration test and the 405 answer see it. */
export interface RouteEntry {
  method: string;
  url: string;
  audience: AudienceName;
  interaction?: string;
}
