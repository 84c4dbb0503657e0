import { AppError, type ErrorCode } from '../../platform/errors.js';

/**
 * Why a WeCom callback was refused, and the AppError code (hence the HTTP status) a route answers it
 * with. Every refusal is a 4xx: the request was not authentic, not decryptable or not acceptable XML.
 * A signature or replay failure is an authentication failure (401); what fails after the signature
 * held is a bad request (400); an oversize body is 413.
 */
export const WECOM_REFUSAL_CODES = {
  bad_signature: 'unauthorized',
  stale_timestamp: 'unauthorized',
  bad_timestamp: 'invalid_request',
  bad_key: 'invalid_request',
  bad_ciphertext: 'invalid_request',
  bad_padding: 'invalid_request',
  bad_length: 'invalid_request',
  bad_encoding: 'invalid_request',
  wrong_receive_id: 'invalid_request',
  malformed_xml: 'malformed_request',
  forbidden_xml: 'malformed_request',
  too_large: 'payload_too_large',
} as const satisfies Record<string, ErrorCode>;

export type WecomRefusal = keyof typeof WECOM_REFUSAL_CODES;

/** A refused WeCom callback: an AppError whose `details.reason` (and `reason`) says what failed. */
export class WecomCallbackError extends AppError {
  readonly reason: WecomRefusal;

  constructor(reason: WecomRefusal, message: string, details: Record<string, unknown> = {}) {
    super(WECOM_REFUSAL_CODES[reason], message, { ...details, reason });
    this.name = 'WecomCallbackError';
    this.reason = reason;
  }
}
