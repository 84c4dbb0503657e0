import { createCipheriv } from 'node:crypto';
import * as tencent from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { MAX_TIMESTAMP_AGE_SECONDS, MAX_TIMESTAMP_AHEAD_SECONDS } from './crypto.js';
import { checkTimestamp, decrypt, encrypt, requireSignature, signature, verifySignature, WecomCallbackError, type WecomRefusal } from './index.js';

// The URL-verification example of Tencent's 加解密方案说明 / WXBizMsgCrypt samples.
const doc = {
  token: 'QDG6eK',
  corpId: 'wx5823bf96d3bd56c7',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  plaintext: '1616140317555161061',
};

const key = Buffer.from(`${doc.encodingAESKey}=`, 'base64');

/** Encrypts raw plaintext bytes (already a whole number of blocks) with the key, padding untouched. */
function encryptRaw(plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** random(16) + msg_len + msg + receiveid, as WeCom lays out the plaintext. */
function body(msg: Buffer, receiveId: string, claimedLength = msg.length): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(claimedLength);
  return Buffer.concat([Buffer.alloc(16, 7), length, msg, Buffer.from(receiveId)]);
}

function pad32(plain: Buffer): Buffer {
  const n = 32 - (plain.length % 32);
  return Buffer.concat([plain, Buffer.alloc(n, n)]);
}

function refusal(fn: () => unknown): WecomRefusal {
  try {
    fn();
  } catch (err) {
    if (err instanceof WecomCallbackError) return err.reason;
    throw err;
  }
  throw new Error('expected a WecomCallbackError, got none');
}

describe('signature', () => {
  it('reproduces the documented msg_signature and agrees with Tencent\'s library', () => {
    expect(signature(doc.token, doc.timestamp, doc.nonce, doc.echostr)).toBe(doc.msgSignature);
    expect(signature('t', '1700000000', 'n0nce', 'abc+/=')).toBe(tencent.getSignature('t', '1700000000', 'n0nce', 'abc+/='));
  });

  it('accepts the matching signature only', () => {
    expect(verifySignature(doc.token, doc.timestamp, doc.nonce, doc.echostr, doc.msgSignature)).toBe(true);
    const flipped = `${doc.msgSignature.slice(0, -1)}${doc.msgSignature.endsWith('3') ? '4' : '3'}`;
    expect(verifySignature(doc.token, doc.timestamp, doc.nonce, doc.echostr, flipped)).toBe(false);
    expect(verifySignature(doc.token, doc.timestamp, doc.nonce, doc.echostr, doc.msgSignature.toUpperCase())).toBe(false);
    expect(verifySignature(doc.token, doc.timestamp, doc.nonce, doc.echostr, doc.msgSignature.slice(0, 20))).toBe(false);
    expect(verifySignature(doc.token, doc.timestamp, doc.nonce, doc.echostr, '')).toBe(false);
    // Any signed value changed breaks it: here the nonce, and the ciphertext.
    expect(verifySignature(doc.token, doc.timestamp, '263014781', doc.echostr, doc.msgSignature)).toBe(false);
    expect(verifySignature(doc.token, doc.timestamp, doc.nonce, `A${doc.echostr.slice(1)}`, doc.msgSignature)).toBe(false);
  });

  it('requireSignature refuses a tampered signature with a 401', () => {
    const err = (() => {
      try {
        requireSignature(doc.token, doc.timestamp, doc.nonce, doc.echostr, '0'.repeat(40));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(WecomCallbackError);
    expect(err).toMatchObject({ reason: 'bad_signature', code: 'unauthorized', statusCode: 401, details: { reason: 'bad_signature' } });
    expect(() => requireSignature(doc.token, doc.timestamp, doc.nonce, doc.echostr, doc.msgSignature)).not.toThrow();
  });
});

describe('decrypt and encrypt', () => {
  it('decrypts the documented echostr', () => {
    expect(decrypt(doc.encodingAESKey, doc.echostr, doc.corpId)).toBe(doc.plaintext);
  });

  it('decrypts what Tencent\'s library encrypts, for messages of every padding length', () => {
    const event = '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><State><![CDATA[试驾-上海]]></State></xml>';
    for (let extra = 0; extra < 40; extra++) {
      const msg = `${event}${'x'.repeat(extra)}`;
      expect(decrypt(doc.encodingAESKey, tencent.encrypt(doc.encodingAESKey, msg, doc.corpId), doc.corpId)).toBe(msg);
    }
    expect(decrypt(doc.encodingAESKey, tencent.encrypt(doc.encodingAESKey, '', doc.corpId), doc.corpId)).toBe('');
  });

  it('encrypts what Tencent\'s library decrypts, byte for byte with the same random prefix', () => {
    const random = Buffer.from('0123456789abcdef');
    const msg = '<xml><Content>你好, WeCom</Content></xml>';
    const ours = encrypt(doc.encodingAESKey, msg, doc.corpId, random);
    expect(ours).toBe(tencent.encrypt(doc.encodingAESKey, msg, doc.corpId, random));
    expect(tencent.decrypt(doc.encodingAESKey, ours)).toEqual({ message: msg, id: doc.corpId, random });
    expect(Buffer.from(ours, 'base64').length % 32).toBe(0);
    // Without a given prefix each encryption differs, and still round-trips.
    const a = encrypt(doc.encodingAESKey, msg, doc.corpId);
    expect(a).not.toBe(encrypt(doc.encodingAESKey, msg, doc.corpId));
    expect(decrypt(doc.encodingAESKey, a, doc.corpId)).toBe(msg);
    expect(() => encrypt(doc.encodingAESKey, msg, doc.corpId, Buffer.alloc(15))).toThrow(RangeError);
  });

  it('refuses a message for another receive id', () => {
    const other = tencent.encrypt(doc.encodingAESKey, 'hello', 'wwOTHERCORP0000000');
    expect(refusal(() => decrypt(doc.encodingAESKey, other, doc.corpId))).toBe('wrong_receive_id');
    // A receive id that only starts like ours is not ours.
    const longer = tencent.encrypt(doc.encodingAESKey, 'hello', `${doc.corpId}x`);
    expect(refusal(() => decrypt(doc.encodingAESKey, longer, doc.corpId))).toBe('wrong_receive_id');
  });

  it('refuses a malformed EncodingAESKey', () => {
    for (const bad of ['', doc.encodingAESKey.slice(0, 42), `${doc.encodingAESKey}A`, `${doc.encodingAESKey.slice(0, 42)}*`, `${doc.encodingAESKey.slice(0, 42)}=`]) {
      expect(refusal(() => decrypt(bad, doc.echostr, doc.corpId))).toBe('bad_key');
      expect(refusal(() => encrypt(bad, 'x', doc.corpId))).toBe('bad_key');
    }
  });

  it('refuses ciphertext that is not base64 or not whole AES blocks', () => {
    expect(refusal(() => decrypt(doc.encodingAESKey, 'not base64!', doc.corpId))).toBe('bad_ciphertext');
    expect(refusal(() => decrypt(doc.encodingAESKey, '', doc.corpId))).toBe('bad_ciphertext');
    expect(refusal(() => decrypt(doc.encodingAESKey, Buffer.alloc(20).toString('base64'), doc.corpId))).toBe('bad_ciphertext');
    // base64url is not what WeCom sends.
    expect(refusal(() => decrypt(doc.encodingAESKey, Buffer.alloc(32, 0xfb).toString('base64url'), doc.corpId))).toBe('bad_ciphertext');
  });

  it('refuses padding bytes of 0, over 32, or not all equal', () => {
    const plain = body(Buffer.from('hello'), doc.corpId); // 39 bytes
    const zero = Buffer.concat([plain, Buffer.alloc(64 - plain.length, 0)]);
    const over = Buffer.concat([plain, Buffer.alloc(64 - plain.length, 33)]);
    const mixed = pad32(plain);
    mixed[mixed.length - 2] = 24; // 25 bytes of padding claimed, one of them is 24
    for (const raw of [zero, over, mixed]) {
      expect(raw.length % 32).toBe(0);
      expect(refusal(() => decrypt(doc.encodingAESKey, encryptRaw(raw), doc.corpId))).toBe('bad_padding');
    }
    // The same body correctly padded decrypts: only the padding was wrong above.
    expect(decrypt(doc.encodingAESKey, encryptRaw(pad32(plain)), doc.corpId)).toBe('hello');
    // Padding to 16 (AES's block, not WeCom's 32) is accepted when it is valid PKCS#7, as Tencent's code does.
    const to48 = Buffer.concat([plain, Buffer.alloc(48 - plain.length, 48 - plain.length)]);
    expect(decrypt(doc.encodingAESKey, encryptRaw(to48), doc.corpId)).toBe('hello');
  });

  it('refuses a msg_len beyond the plaintext, and a plaintext shorter than its header', () => {
    const claimsTooMuch = pad32(body(Buffer.from('hello'), doc.corpId, 5 + doc.corpId.length + 1));
    expect(refusal(() => decrypt(doc.encodingAESKey, encryptRaw(claimsTooMuch), doc.corpId))).toBe('bad_length');
    const huge = pad32(body(Buffer.from('hello'), doc.corpId, 0xffffffff));
    expect(refusal(() => decrypt(doc.encodingAESKey, encryptRaw(huge), doc.corpId))).toBe('bad_length');
    const short = Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 16)]); // 16 bytes after unpadding
    expect(refusal(() => decrypt(doc.encodingAESKey, encryptRaw(short), doc.corpId))).toBe('bad_length');
    // msg_len may use everything up to the receive id, which is then what is compared.
    const exact = pad32(body(Buffer.from('hello'), doc.corpId, 5 + doc.corpId.length));
    expect(refusal(() => decrypt(doc.encodingAESKey, encryptRaw(exact), doc.corpId))).toBe('wrong_receive_id');
  });

  it('refuses a message that is not UTF-8', () => {
    const raw = pad32(body(Buffer.from([0x3c, 0xff, 0xfe, 0x3e]), doc.corpId));
    expect(refusal(() => decrypt(doc.encodingAESKey, encryptRaw(raw), doc.corpId))).toBe('bad_encoding');
  });
});

describe('checkTimestamp', () => {
  const now = new Date('2025-06-01T08:00:00.000Z');
  const nowSeconds = now.getTime() / 1000;

  it('accepts timestamps inside the window and returns them', () => {
    expect(MAX_TIMESTAMP_AGE_SECONDS).toBe(300);
    expect(MAX_TIMESTAMP_AHEAD_SECONDS).toBe(60);
    for (const offset of [0, -300, 60, -1, 1]) {
      expect(checkTimestamp(String(nowSeconds + offset), now)).toBe(nowSeconds + offset);
    }
    expect(checkTimestamp(String(nowSeconds - 900), now, 1000)).toBe(nowSeconds - 900);
  });

  it('refuses stale and future timestamps as a 401', () => {
    for (const offset of [-301, -86_400, 61, 3600]) {
      expect(refusal(() => checkTimestamp(String(nowSeconds + offset), now))).toBe('stale_timestamp');
    }
    expect(() => checkTimestamp(String(nowSeconds - 301), now)).toThrow(expect.objectContaining({ statusCode: 401, details: { offsetSeconds: -301, reason: 'stale_timestamp' } }));
    expect(refusal(() => checkTimestamp(String(nowSeconds - 11), now, 10))).toBe('stale_timestamp');
  });

  it('refuses a timestamp that is not Unix seconds as a 400', () => {
    for (const bad of ['', 'abc', '1.5e9', '-1', ' 1748764800', '1748764800 ', '0x68', '17487648000000', '1748764800.5']) {
      expect(refusal(() => checkTimestamp(bad, now))).toBe('bad_timestamp');
    }
    expect(() => checkTimestamp('abc', now)).toThrow(expect.objectContaining({ statusCode: 400 }));
  });
});
