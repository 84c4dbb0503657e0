import { METHODS } from 'node:http';
import type { RouteOptions } from 'fastify';
import Router, { type HTTPMethod } from 'find-my-way';

const KNOWN_METHODS = new Set<string>(METHODS);
const isMethod = (m: string): m is HTTPMethod => KNOWN_METHODS.has(m);

/**
 * Which methods each route path answers, so that a known path asked with another method gets 405
 * and an Allow header instead of 404. The same router Fastify uses, so paths match the same way.
 */
export class MethodIndex {
  private readonly router = Router({ maxParamLength: 1000 });
  private readonly methods = new Set<HTTPMethod>();

  add(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      const method = m.toUpperCase();
      if (!isMethod(method)) continue;
      if (this.router.hasRoute(method, route.url)) continue;
      this.router.on(method, route.url, () => undefined);
      this.methods.add(method);
    }
  }

  /** The methods `path` (no query string) answers; empty when no route matches it at all. */
  allowed(path: string): HTTPMethod[] {
    try {
      return [...this.methods].filter((m) => this.router.find(m, path) !== null).sort();
    } catch {
      return [];
    }
  }
}
