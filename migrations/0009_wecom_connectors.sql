-- WeCom (企业微信) connectors: one per corp a tenant connects (a tenant may have several corps). The
-- app secret, the callback token and the EncodingAESKey are stored encrypted under SIYU_SECRET_KEY
-- (`v1.<iv>.<tag>.<ciphertext>`, each bound to its tenant, connector and field).
CREATE TABLE wecom_connectors (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  corp_id text NOT NULL CHECK (length(corp_id) BETWEEN 1 AND 64),
  agent_id text NOT NULL CHECK (length(agent_id) BETWEEN 1 AND 20),
  secret_enc text NOT NULL,
  token_enc text NOT NULL,
  aes_key_enc text NOT NULL,
  api_base_url text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, corp_id)
);
-- The callback URL carries only the connector id: WeCom's requests are looked up by it alone.
CREATE UNIQUE INDEX wecom_connectors_by_id ON wecom_connectors (id);
