/**
 * Application errors. Modules throw `AppError(code, message, details)`; `httpStatusFor` is the one
 * place that maps a code to an HTTP status.
 */
export const errorStatus = {
  profile_merged: 308,
  invalid_request: 400,
  malformed_json: 400,
  malformed_url: 400,
  malformed_request: 400,
  message_too_large: 400,
  batch_too_large: 400,
  unsupported_encoding: 400,
  sign_in_state_invalid: 400,
  sign_in_code_invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  csrf_failed: 403,
  wecom_not_member: 403,
  wecom_member_not_linked: 403,
  not_found: 404,
  console_not_built: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  last_admin_token: 409,
  invalid_transition: 409,
  account_locked: 423,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  headers_too_large: 431,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** Read by Fastify; kept in step with `code`. */
  statusCode: number;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details ?? null;
    this.statusCode = errorStatus[code];
  }
}

export function httpStatusFor(code: ErrorCode): number {
  return errorStatus[code];
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
