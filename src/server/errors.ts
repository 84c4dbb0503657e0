import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, formatKb, isSingleMessageRoute } from '../contracts/ingest.js';
import { AppError, httpStatusFor, isAppError } from '../platform/errors.js';

function fromFastify(err: FastifyError, request: FastifyRequest): AppError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const route = request.routeOptions.url ?? '';
      if (!route.startsWith('/v1/')) return new AppError('payload_too_large', 'the request body is too large');
      return isSingleMessageRoute(route)
        ? new AppError('message_too_large', `the message is larger than the limit of ${formatKb(MAX_MESSAGE_BYTES)} (${MAX_MESSAGE_BYTES} bytes) per message`, { limitBytes: MAX_MESSAGE_BYTES })
        : new AppError('batch_too_large', `the request body is larger than the limit of ${formatKb(MAX_BATCH_BYTES)} (${MAX_BATCH_BYTES} bytes) per batch request; split it`, {
            limitBytes: MAX_BATCH_BYTES,
          });
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('malformed_json', 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('invalid_request', `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json`);
    default:
      break;
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError(err.statusCode === 404 ? 'not_found' : 'invalid_request', err.message);
  }
  return null;
}

/** The one place errors become HTTP responses: `{ error: { code, message, details } }`. */
export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
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
  if (status === 401) void reply.header('WWW-Authenticate', request.url.startsWith('/v1/') ? 'Basic realm="siyu ingest"' : 'Bearer realm="siyu"');
  return reply.code(status).send({ error: { code: appError.code, message: appError.message, details: appError.details } });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(404)
    .send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}`, details: null } });
}
