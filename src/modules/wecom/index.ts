// WeCom (企业微信) callbacks: signature, replay bound, message encryption and the callback XML.
// Pure functions; the connector's routes verify, decrypt and parse with them.
export { WECOM_REFUSAL_CODES, WecomCallbackError, type WecomRefusal } from './errors.js';
export {
  checkTimestamp,
  decrypt,
  encrypt,
  isEncodingAesKey,
  MAX_TIMESTAMP_AGE_SECONDS,
  MAX_TIMESTAMP_AHEAD_SECONDS,
  requireSignature,
  signature,
  verifySignature,
} from './crypto.js';
export { MAX_CALLBACK_BODY_BYTES, parseWecomXml, type WecomXmlFields, type WecomXmlValue } from './xml-tree.js';
export {
  parseCallbackEnvelope,
  parseCallbackEvent,
  type CallbackEnvelope,
  type ExternalChatEvent,
  type ExternalContactEvent,
  type ExternalTagEvent,
  type WecomCallbackEvent,
} from './callback-xml.js';
