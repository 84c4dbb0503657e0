// WeCom (企业微信): per-corp connectors (credentials encrypted at rest), their health check and URL
// verification; the callbacks' signature, replay bound, message encryption and XML as pure functions.
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
export {
  callbackPath,
  createWecomConnector,
  decryptCredentials,
  deleteWecomConnector,
  getWecomConnector,
  listWecomConnectors,
  secretContext,
  updateWecomConnector,
  wecomCredentials,
  type SecretField,
  type WecomCredentials,
  type WecomDeps,
} from './connectors.js';
export { WECOM_ERRCODE_MESSAGES, wecomErrcodeMessage } from './errcodes.js';
export { HEALTH_CHECK_TIMEOUT_MS, checkWecomConnector } from './health.js';
export { verifyCallbackUrl, type UrlVerification } from './url-verification.js';
