import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { WecomCallbackError } from './errors.js';

// WeCom's callback encryption (加解密方案说明, WXBizMsgCrypt):
//   msg_signature = sha1_hex(sort([token, timestamp, nonce, encrypt]).join(''))
//   key = base64_decode(EncodingAESKey + '='), 32 bytes; iv = key[0..16)
//   encrypt = base64(AES-256-CBC(key, iv, pkcs7_pad_32(random(16) + len(msg) as uint32 BE + msg + receiveid)))

/** PKCS#7 padding in WeCom's scheme pads to 32 bytes, not to the AES block size of 16. */
const PAD_BLOCK_BYTES = 32;
const AES_BLOCK_BYTES = 16;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
const HEADER_BYTES = RANDOM_BYTES + LENGTH_BYTES;

/** An EncodingAESKey is 43 characters of standard base64 (32 bytes once "=" is appended). */
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;
/** Standard base64 with its padding, as WeCom sends `Encrypt` and `echostr`. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes `msg` strictly: bytes that are not UTF-8 are refused, not replaced. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The `msg_signature` WeCom computes: hex SHA-1 of the four strings sorted and concatenated. The sort
 * is JavaScript's default string order, as in Tencent's own Node library; the inputs are ASCII in
 * practice (token, digits, nonce, base64), where every documented implementation agrees.
 */
export function signature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

/** Whether `msgSignature` is the signature of these values, compared in constant time. */
export function verifySignature(token: string, timestamp: string, nonce: string, encrypted: string, msgSignature: string): boolean {
  const expected = Buffer.from(signature(token, timestamp, nonce, encrypted), 'utf8');
  const given = Buffer.from(msgSignature, 'utf8');
  // timingSafeEqual needs equal lengths; the length of a hex SHA-1 is public anyway.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Throws `bad_signature` unless `msgSignature` signs these values. */
export function requireSignature(token: string, timestamp: string, nonce: string, encrypted: string, msgSignature: string): void {
  if (!verifySignature(token, timestamp, nonce, encrypted, msgSignature)) {
    throw new WecomCallbackError('bad_signature', 'msg_signature does not match: the request was not signed with this connector\'s token');
  }
}

/** Whether `value` is a well-formed EncodingAESKey (for validating a connector's settings). */
export function isEncodingAesKey(value: string): boolean {
  return ENCODING_AES_KEY.test(value) && Buffer.from(`${value}=`, 'base64').length === 32;
}

function aesKey(encodingAESKey: string): { key: Buffer; iv: Buffer } {
  if (!isEncodingAesKey(encodingAESKey)) {
    throw new WecomCallbackError('bad_key', 'the connector\'s EncodingAESKey must be the 43 characters shown in the WeCom admin console');
  }
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  return { key, iv: key.subarray(0, AES_BLOCK_BYTES) };
}

/** Strips PKCS#7 padding to 32 bytes, refusing anything that is not exactly such padding. */
function unpad(plain: Buffer): Buffer {
  const n = plain.at(-1);
  if (n === undefined || n < 1 || n > PAD_BLOCK_BYTES || n > plain.length) {
    throw new WecomCallbackError('bad_padding', `the decrypted message ends in padding byte ${String(n)}; PKCS#7 to 32 allows 1..32`);
  }
  for (let i = plain.length - n; i < plain.length; i++) {
    if (plain[i] !== n) throw new WecomCallbackError('bad_padding', 'the decrypted message\'s padding bytes are not all equal');
  }
  return plain.subarray(0, plain.length - n);
}

/**
 * Decrypts a WeCom `Encrypt` (or `echostr`) value and returns the message as text. Call it only after
 * the signature has been verified: the padding and length checks then answer only WeCom itself, so
 * they leak nothing (no padding oracle).
 */
export function decrypt(encodingAESKey: string, encrypted: string, expectedReceiveId: string): string {
  const { key, iv } = aesKey(encodingAESKey);
  if (!BASE64.test(encrypted)) throw new WecomCallbackError('bad_ciphertext', 'the encrypted message is not base64');
  const cipherBytes = Buffer.from(encrypted, 'base64');
  if (cipherBytes.length === 0 || cipherBytes.length % AES_BLOCK_BYTES !== 0) {
    throw new WecomCallbackError('bad_ciphertext', `the encrypted message is ${cipherBytes.length} bytes, not a whole number of AES blocks`);
  }
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  const body = unpad(Buffer.concat([decipher.update(cipherBytes), decipher.final()]));

  if (body.length < HEADER_BYTES) throw new WecomCallbackError('bad_length', 'the decrypted message is shorter than its 20-byte header');
  const msgLength = body.readUInt32BE(RANDOM_BYTES);
  if (msgLength > body.length - HEADER_BYTES) {
    throw new WecomCallbackError('bad_length', `the decrypted message claims ${msgLength} bytes but holds ${body.length - HEADER_BYTES}`);
  }
  const msg = body.subarray(HEADER_BYTES, HEADER_BYTES + msgLength);
  const receiveId = body.subarray(HEADER_BYTES + msgLength);
  if (!receiveId.equals(Buffer.from(expectedReceiveId, 'utf8'))) {
    throw new WecomCallbackError('wrong_receive_id', 'the message was encrypted for another receive id (CorpID) than this connector\'s');
  }
  try {
    return utf8.decode(msg);
  } catch {
    throw new WecomCallbackError('bad_encoding', 'the decrypted message is not UTF-8 text');
  }
}

/** Encrypts `msg` for `receiveId` as WeCom does (for passive replies, and tests). */
export function encrypt(encodingAESKey: string, msg: string, receiveId: string, random16: Uint8Array = randomBytes(RANDOM_BYTES)): string {
  const { key, iv } = aesKey(encodingAESKey);
  if (random16.length !== RANDOM_BYTES) throw new RangeError(`random16 must be ${RANDOM_BYTES} bytes, got ${random16.length}`);
  const msgBytes = Buffer.from(msg, 'utf8');
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(msgBytes.length);
  const body = Buffer.concat([random16, length, msgBytes, Buffer.from(receiveId, 'utf8')]);
  const n = PAD_BLOCK_BYTES - (body.length % PAD_BLOCK_BYTES);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(n, n)])), cipher.final()]).toString('base64');
}

/**
 * Replay bound for signed callbacks: the signed `timestamp` may be at most this many seconds old.
 * WeCom retries an unanswered callback within seconds, well inside it; an older request is a replay.
 */
export const MAX_TIMESTAMP_AGE_SECONDS = 300;
/** How far a signed `timestamp` may run ahead of our clock (clock skew), in seconds. */
export const MAX_TIMESTAMP_AHEAD_SECONDS = 60;

/** Unix seconds as WeCom writes them: digits only, no sign, no fraction. */
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Checks a callback's `timestamp` (Unix seconds) against `now` and returns it. Refuses one that is
 * not a number (`bad_timestamp`), older than `maxAgeSeconds` or further ahead than
 * `maxAheadSeconds` (`stale_timestamp`). The timestamp is signed, so it cannot be moved without
 * breaking the signature; repeats inside the window are for the caller's dedupe.
 */
export function checkTimestamp(
  timestamp: string,
  now: Date,
  maxAgeSeconds: number = MAX_TIMESTAMP_AGE_SECONDS,
  maxAheadSeconds: number = MAX_TIMESTAMP_AHEAD_SECONDS,
): number {
  if (!UNIX_SECONDS.test(timestamp)) throw new WecomCallbackError('bad_timestamp', 'timestamp must be Unix seconds (digits only)');
  const seconds = Number(timestamp);
  const offset = seconds - Math.floor(now.getTime() / 1000);
  if (offset < -maxAgeSeconds || offset > maxAheadSeconds) {
    throw new WecomCallbackError(
      'stale_timestamp',
      `timestamp is ${Math.abs(offset)} s ${offset < 0 ? 'old' : 'ahead'}; accepted are ${maxAgeSeconds} s old to ${maxAheadSeconds} s ahead`,
      { offsetSeconds: offset },
    );
  }
  return seconds;
}
