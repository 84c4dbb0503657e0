// WeCom (企业微信): per-corp connectors (credentials encrypted at rest), their health check and URL
// verification; the callbacks' signature, replay bound, message encryption and XML as pure functions;
// the server-API client (tokens, retries, back-off, rate limits, errcodes in words).
export { WecomCallbackError, type WecomRefusal } from './errors.js';
export {
  checkTimestamp,
  decrypt,
  encrypt,
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
  createWecomConnector,
  deleteWecomConnector,
  getWecomConnector,
  listWecomConnectors,
  secretContext,
  updateWecomConnector,
  wecomCredentials,
  type WecomCredentials,
  type WecomDeps,
} from './connectors.js';
export { WECOM_ERRCODE_MESSAGES, wecomErrcodeMessage, wecomErrorCode } from './errcodes.js';
export type { WecomCall, WecomClientOptions } from './client-core.js';
export {
  createWecomClient,
  WECOM_BATCH_MAX,
  WECOM_STATE_MAX,
  type ContactWayInput,
  type ContactWayUpdate,
  type MsgTemplateInput,
  type TransferInput,
  type TransferResultInput,
  type WecomAttachment,
  type WecomClient,
  type WelcomeMsgInput,
} from './client.js';
export type { WecomBatchContacts, WecomCorpTagGroup, WecomExternalContact, WecomGroupChat, WecomGroupmsgSendResult, WecomTransferResult } from './client-schemas.js';
export { resetWecomRateLimits, type WecomLimits, type WecomRateLimit } from './rate-limit.js';
export { clearWecomTokenCache } from './token-cache.js';
export { checkWecomConnector } from './health.js';
export { verifyCallbackUrl } from './url-verification.js';
export { acceptCallback, type AcceptedCallback, type CallbackQuery } from './callbacks.js';
export { CALLBACKS_JOB, CALLBACKS_PRUNE_JOB, countPending } from './callbacks.repo.js';
export { wecomInbox } from './inbox-status.js';
export { onCallbackStored } from './stored-news.js';
export { processCallbacks, pruneCallbacks } from './process.js';
export type { ProcessDeps } from './job-deps.js';
// The consultant sidebar (聊天工具栏): the wx.agentConfig signature with the apps' cached jsapi_tickets,
// and the summary of the chat's customer found through the identity graph.
export { agentConfigSignature, jsapiSignature } from './jsapi.js';
export { clearWecomTicketCache } from './ticket-cache.js';
export { wecomSidebar, type WecomSidebarDeps } from './sidebar.js';
// Signing in to the app's pages from inside WeCom (网页授权登录): the start and the callback.
export { finishWecomSignIn, signInState, startWecomSignIn, wecomAuthorizeBaseUrl, wecomAuthorizeUrl, WECOM_OAUTH_BASE_URL, WECOM_SIGN_IN_SECONDS } from './sign-in.js';
// Channel codes (渠道活码) with their welcome messages and precipitation figures; the churn list.
export { createChannelCode, deleteChannelCode, getChannelCode, listChannelCodes, updateChannelCode } from './channel-codes.js';
export { channelCodeQrImage, type QrImage } from './code-qr.js';
export { channelCodeStats, wecomChurn } from './code-stats.js';
// Customer transfers (在职继承, 离职继承): requests, the job that sends them and follows WeCom's results.
export { createResignedTransfer, createTransfer, getTransfer, listTransfers, type TransferAnswer } from './transfers.js';
export { runTransferJob, TRANSFER_POLL_MS, type TransferDeps } from './transfers-run.js';
export { TRANSFERS_JOB } from './transfers.repo.js';
// Mass messages (企业群发) to a saved segment or a tag through each person's consultant: the task, the
// jobs that choose the recipients under the per-customer cap and hand the shares to WeCom, and the
// reading of WeCom's send results; the cap settings.
export { createWecomMassMessage, getWecomMassMessage, listWecomMassMessages, MASS_SEND_JOB, wecomMassRecipients } from './mass-messages.js';
export { FIRST_POLL_MS, MASS_RESULTS_JOB, prepareMassMessage, RESULT_WINDOW_MS, sendMassMessage, type MassDeps } from './mass-send.js';
export { collectMassResults } from './mass-results.js';
export { listWecomMassCaps, setWecomMassCap, type AppliedCap } from './mass-caps.js';
export { eraseWecomPersonalData } from './erase.repo.js';
// Tag sync with the corp's customer tags (企业客户标签), both ways: the Siyu tag groups a connector
// syncs, its full runs, the job that reconciles definitions and people, and the news that starts it.
export { enableWecomTagSync, getTagSync, requestTagSyncRun, setTagSync } from './tag-sync.js';
export { runTagSync } from './tag-sync-run.js';
export { TAG_SYNC_JOB } from './tag-sync.repo.js';
