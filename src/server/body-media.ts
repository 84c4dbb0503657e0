import type { FastifyRequest } from 'fastify';
import { documentedContent } from '../contracts/common.js';
import { AppError } from '../platform/errors.js';

/** The 415 for a body whose media type the route's document does not name (JSON unless it says otherwise). */
export function unsupportedMediaType(request: FastifyRequest): AppError {
  const media = documentedContent(request.routeOptions.schema?.body);
  const accepted = media ? Object.keys(media) : ['application/json'];
  return new AppError('unsupported_media_type', `Content-Type ${request.headers['content-type'] ?? '(none)'} is not accepted here; send ${accepted.join(' or ')}`, { accepted });
}

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

/**
 * A body is read only in a media type and coding the operation documents: anything else is a 415
 * naming what it takes, before the body is parsed. (The tracking API reads any type and inflates
 * gzip and deflate itself, as Segment's does.)
 */
export async function refuseUndocumentedBody(request: FastifyRequest): Promise<void> {
  // (A preParsing hook: Fastify passes the payload stream as well, which this leaves untouched.)
  if (request.routeOptions.url === undefined || request.routeOptions.config.decodesBody === true || request.method === 'GET' || request.method === 'HEAD' || !hasBody(request)) return;
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && !/^\s*identity\s*$/i.test(encoding)) {
    throw new AppError('unsupported_media_type', `Content-Encoding ${encoding} is not accepted here; send the body uncompressed`, { accepted: ['identity'] });
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const media = documentedContent(request.routeOptions.schema?.body);
  if (!(media ? Object.hasOwn(media, type) : type === 'application/json')) throw unsupportedMediaType(request);
}
