import { isRecord } from '../platform/json.js';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, formatKb, isSingleMessageRoute } from '../contracts/ingest.js';
import { AppError, httpStatusFor, isAppError, type ErrorCode } from '../platform/errors.js';
import { unsupportedMediaType } from './body-media.js';
import { isConsolePage, type ConsoleFiles } from './console.js';
import type { MethodIndex } from './method-index.js';

/** A body over the route's limit; the tracking API answers in Segment's terms. */
function bodyTooLarge(request: FastifyRequest): AppError {
  if (request.routeOptions.config.decodesBody !== true) {
    const limit = request.routeOptions.bodyLimit;
    return new AppError('payload_too_large', `the request body is larger than this operation's limit of ${formatKb(limit)} (${limit} bytes); send less or split it`, { limitBytes: limit });
  }
  return isSingleMessageRoute(request.routeOptions.url)
    ? new AppError('message_too_large', `the message is larger than the limit of ${formatKb(MAX_MESSAGE_BYTES)} (${MAX_MESSAGE_BYTES} bytes) per message`, { limitBytes: MAX_MESSAGE_BYTES })
    : new AppError('batch_too_large', `the request body is larger than the limit of ${formatKb(MAX_BATCH_BYTES)} (${MAX_BATCH_BYTES} bytes) per batch request; split it`, {
        limitBytes: MAX_BATCH_BYTES,
      });
}

/** Errors Fastify raises itself (body parsing, routing, timeouts) in Siyu's terms. */
function fromFastify(err: FastifyError, request: FastifyRequest): AppError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyTooLarge(request);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('malformed_json', 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(request);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('malformed_request', 'the Content-Length header does not match the body that was sent');
    case 'FST_ERR_BAD_URL':
      return new AppError('malformed_url', 'the URL path is not valid percent-encoded UTF-8 (a lone % or a cut-off sequence such as %E4%B8); encode each path segment, e.g. with encodeURIComponent');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('uri_too_long', 'a path parameter is longer than 100 characters; no id, code or key of this API is that long');
    default:
      break;
  }
  // JSON that parses but is refused: keys such as __proto__ (prototype poisoning).
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return new AppError('malformed_json', 'the body is not valid JSON, or uses a key that is not allowed (__proto__, constructor.prototype)');
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    const code: ErrorCode = err.statusCode === 404 ? 'not_found' : err.statusCode === 413 ? 'payload_too_large' : err.statusCode === 415 ? 'unsupported_media_type' : 'invalid_request';
    return new AppError(code, err.message);
  }
  return null;
}

/** The one place errors become HTTP responses: `{ error: { code, message, details } }`. */
export function errorHandler(err: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  const appError = isAppError(err) ? err : fromFastify(err, request);
  if (!appError) {
    request.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .send({ error: { code: 'internal', message: 'something went wrong on our side; the request id is in the logs', details: { requestId: request.id } } });
  }
  const status = httpStatusFor(appError.code);
  if (status >= 500) request.log.error({ err }, appError.message);
  // A merged-away profile id: the same path with the surviving id (details.profileId).
  if (appError.code === 'profile_merged') {
    const { mergedId, profileId } = appError.details as { mergedId: string; profileId: string };
    void reply.header('location', request.url.replace(mergedId, profileId));
  }
  // Busy, not broken: when to ask again.
  const retryAfter = isRecord(appError.details) ? appError.details['retryAfterSeconds'] : undefined;
  if (status === 503 && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  if (status === 401) void reply.header('WWW-Authenticate', request.url.startsWith('/v1/') ? 'Basic realm="siyu ingest"' : 'Bearer realm="siyu"');
  return reply.code(status).send({ error: { code: appError.code, message: appError.message, details: appError.details } });
}

/**
 * Unknown path: 404; a known path with another method: 405 naming the allowed ones. A GET or HEAD of
 * an unknown path outside the APIs is a page of the web console: its index.html (`pages`).
 */
export function notFoundHandler(methods: MethodIndex, pages?: ConsoleFiles) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = methods.allowed(path);
    // A route that answers this method found nothing (a missing asset): a plain 404.
    if (allowed.length === 0 || allowed.some((m) => m === request.method)) {
      // Whatever it throws (console_not_built) reaches errorHandler like a route's error.
      if (pages && (request.method === 'GET' || request.method === 'HEAD') && isConsolePage(path)) return pages.send(reply, path);
      const message = allowed.length === 0 ? `no route for ${request.method} ${path}` : `nothing at ${path}; if a page asked for it, reload the page (the console may have been updated)`;
      return errorHandler(new AppError('not_found', message), request, reply);
    }
    void reply.header('allow', allowed.join(', '));
    return errorHandler(new AppError('method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`, { allowed }), request, reply);
  };
}

/** Timeouts and unparseable HTTP on the socket, answered in the same error shape, then closed. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message]: [ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['request_timeout', 'the request was not received completely in time; send it again']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['headers_too_large', 'the request headers are too large']
        : ['malformed_request', 'the request is not valid HTTP/1.1'];
  const status = httpStatusFor(code);
  const body = JSON.stringify({ error: { code, message, details: null } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
