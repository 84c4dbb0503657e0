import type { ColumnType } from 'kysely';

/** Kysely's view of the tables created by `migrations/0009_wecom_connectors.sql`. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface WecomConnectorsTable {
  tenant_id: string;
  id: string;
  corp_id: string;
  agent_id: string;
  /** The app secret, token and EncodingAESKey, each encrypted (src/platform/secrets.ts). */
  secret_enc: string;
  token_enc: string;
  aes_key_enc: string;
  api_base_url: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WecomDatabase {
  wecom_connectors: WecomConnectorsTable;
}
