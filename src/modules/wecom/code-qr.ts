import { AppError } from '../../platform/errors.js';
import type { Principal } from '../tenancy/index.js';
import { notFound } from './channel-codes.js';
import * as repo from './channel-codes.repo.js';
import { unreachable } from './client-core.js';
import type { WecomDeps } from './connectors.js';

/** The image of a contact way's QR code, as WeCom serves it. */
export interface QrImage {
  contentType: string;
  bytes: Buffer;
}

/** WeCom's QR images are a few KB; anything far larger is not one. */
const QR_IMAGE_MAX_BYTES = 512 * 1024;
const QR_TIMEOUT_MS = 10_000;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function unavailable(message: string, details: Record<string, unknown>): AppError {
  return new AppError('unavailable', `${message}: WeCom's QR image could not be fetched; try again, or open qrCode from GET /api/v1/wecom/channel-codes/{id} directly`, details);
}

/**
 * The QR image of a contact way, fetched by the server from the address WeCom gave when the code was
 * made. The console shows it from its own origin, so its Content-Security-Policy need not trust
 * WeCom's image hosts and the image can be downloaded.
 */
export async function channelCodeQrImage(deps: WecomDeps, principal: Principal, id: string): Promise<QrImage> {
  const row = await repo.findCode(deps.store.db, principal, id);
  if (!row) throw notFound(id);
  if (row.kind !== 'contact_way' || !row.qrCode) {
    throw new AppError('not_found', `channel code ${id} has no QR image from WeCom${row.kind === 'link' ? ': it is an acquisition link; encode its url instead' : ''}`, { kind: row.kind });
  }
  let url: URL;
  try {
    url = new URL(row.qrCode);
  } catch {
    throw unavailable('the stored QR address is not a URL', { codeId: id });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw unavailable('the stored QR address is not http(s)', { codeId: id });
  const host = url.host;
  let res: Response;
  try {
    // As the WeCom client: no redirects, so the address WeCom gave is the only host asked.
    res = await fetch(url, { signal: AbortSignal.timeout(QR_TIMEOUT_MS), redirect: 'error' });
  } catch (err) {
    throw unreachable(err, host, url.pathname, QR_TIMEOUT_MS);
  }
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!res.ok) throw unavailable(`${host} answered HTTP ${res.status}`, { host, httpStatus: res.status });
  if (!IMAGE_TYPES.has(contentType)) throw unavailable(`${host} answered ${contentType || 'no content type'}, not an image`, { host });
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > QR_IMAGE_MAX_BYTES) throw unavailable(`${host} answered ${declared} bytes, more than a QR image`, { host });
  // The timeout covers reading the body too: a stall or a reset midway is WeCom being unavailable.
  const bytes = await readCapped(res, QR_IMAGE_MAX_BYTES).catch((err: unknown) => {
    throw unreachable(err, host, url.pathname, QR_TIMEOUT_MS);
  });
  if (!bytes) throw unavailable(`${host} answered more than ${QR_IMAGE_MAX_BYTES} bytes, more than a QR image`, { host });
  return { contentType, bytes };
}

/** The body, or null as soon as it passes `max` bytes (leaving the loop cancels the rest). */
async function readCapped(res: Response, max: number): Promise<Buffer | null> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.byteLength;
    if (total > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
