/** A connector with its credentials decrypted, for calls to WeCom and for checking its callbacks. */
export interface WecomCredentials {
  tenantId: string;
  id: string;
  corpId: string;
  agentId: string;
  apiBaseUrl: string;
  secret: string;
  token: string;
  encodingAESKey: string;
}
