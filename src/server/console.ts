import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../platform/errors.js';

/**
 * The web console's built files (`npm run build` writes them to console/dist): `/assets/*` with
 * content-hashed names, cached for a year; a few top-level files (favicon …) cached for an hour; and
 * index.html for every other page path, so that the console's client-side router sees the URL (a
 * reload of /customers/abc opens that page). HTML is never cached without asking again, and always
 * carries a Content-Security-Policy that allows no inline script and nothing from elsewhere.
 */

/** `console/dist` at the package root: two levels up from src/server (tsx, Vitest) and dist/server (compiled). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

const ONE_YEAR_MS = 365 * 24 * 3_600_000;
const TOP_LEVEL_CACHE = 'public, max-age=3600';

/** Where the WeCom JS-SDK (jweixin, wwOpenData) loads from and talks to: allowed on the sidebar pages only. */
const WECOM_JS_HOSTS = ['https://res.wx.qq.com', 'https://open.work.weixin.qq.com'];

/** Paths that are never console pages: the APIs, their document and the console's own assets. */
const NOT_PAGES = ['/api', '/v1', '/docs', '/assets'];

/** The CSP of the console's HTML at `path`. antd injects <style> elements, hence 'unsafe-inline' for styles only. */
export function contentSecurityPolicy(path: string): string {
  const sidebar = path === '/sidebar' || path.startsWith('/sidebar/');
  const wecom = sidebar ? ` ${WECOM_JS_HOSTS.join(' ')}` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${wecom}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${wecom}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Whether a GET of `path` (no query string) that matches no route is a console page. */
export function isConsolePage(path: string): boolean {
  if (path === '/openapi.json') return false;
  return !NOT_PAGES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Content types of the top-level files a Vite build copies from public/. */
const TOP_LEVEL_TYPES: Record<string, string> = {
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};

/** `/favicon.ico` → `favicon.ico`: one path segment naming a file of a known type, never index.html or a dotfile. */
function topLevelFile(path: string): string | null {
  const m = /^\/([A-Za-z0-9][A-Za-z0-9_.-]{0,127})$/.exec(path);
  const name = m?.[1];
  return name && extname(name).toLowerCase() in TOP_LEVEL_TYPES ? name : null;
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && 'code' in err && (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR');
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

function securityHeaders(reply: FastifyReply, path: string): void {
  void reply.header('content-security-policy', contentSecurityPolicy(path));
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'same-origin');
}

/** The console's files in `dir`, read on each request: a rebuild shows without a restart. */
export class ConsoleFiles {
  constructor(readonly dir: string) {}

  /**
   * Answers a GET or HEAD of a console page: a top-level file of the build when there is one, else
   * index.html. Without a build, a 404 that says how to make one.
   */
  async send(reply: FastifyReply, path: string): Promise<FastifyReply> {
    const name = topLevelFile(path);
    const file = name ? await readOrNull(join(this.dir, name)) : null;
    if (name && file) {
      securityHeaders(reply, path);
      return reply
        .code(200)
        .header('content-type', TOP_LEVEL_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream')
        .header('cache-control', TOP_LEVEL_CACHE)
        .send(file);
    }
    const html = await readOrNull(join(this.dir, 'index.html'));
    if (!html) throw new AppError('console_not_built', 'the console is not built: run npm run build');
    securityHeaders(reply, path);
    return reply.code(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  }
}

/** `/assets/*`: the build's hashed files, immutable for a year (a new build has new names). */
export async function consoleAssetRoutes(app: FastifyInstance, files: ConsoleFiles): Promise<void> {
  // Only reply.sendFile (ranges, ETag, 304, no path escaping the root): the route is ours, so that a
  // missing asset reaches the not-found handler (a JSON 404) and a console built later is found.
  await app.register(fastifyStatic, { serve: false, dotfiles: 'ignore', index: false });
  app.get<{ Params: { '*': string } }>('/assets/*', { schema: { hide: true } }, (request, reply) => {
    const name = request.params['*'];
    // A build names its files plainly: nothing hidden, nothing above assets/ (%2F.. included).
    if (name.split(/[\\/]/).some((segment) => segment === '' || segment.startsWith('.'))) return reply.callNotFound();
    void reply.header('x-content-type-options', 'nosniff');
    return reply.sendFile(`assets/${name}`, files.dir, { maxAge: ONE_YEAR_MS, immutable: true });
  });
}
