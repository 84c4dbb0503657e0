-- WeCom SCRM: the callback inbox, friendships between consultants and customers, channel codes and
-- their welcome messages, customer groups. A customer is known to WeCom by external_userid (one per
-- corp): the person behind it is read from the identity graph (profile_identifiers, type
-- wecom_external_userid, scope = corp id), so merges and splits need nothing here.

-- Decrypted callbacks, stored before the 200 and processed by the `wecom.callbacks` job in id order.
-- WeCom retries an unanswered callback three times: the retry has the same content, hence the same
-- dedupe_key, and is stored once.
CREATE TABLE wecom_callbacks (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  dedupe_key text NOT NULL,
  event text NOT NULL,
  change_type text,
  fields jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  outcome text CHECK (outcome IN ('applied', 'ignored', 'failed')),
  error text,
  PRIMARY KEY (tenant_id, connector_id, id),
  UNIQUE (tenant_id, connector_id, dedupe_key),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX wecom_callbacks_pending ON wecom_callbacks (tenant_id, connector_id, id) WHERE processed_at IS NULL;

-- A channel code (渠道活码): a contact way whose State comes back in the add event and attributes
-- the new friend to its source, campaign, dealer and consultants.
CREATE TABLE wecom_channel_codes (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  connector_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- contact_way: a 「联系我」 QR code Siyu configures (config_id, qr_code); link: a 获客链接 made in
  -- WeCom's admin console, whose customer_channel parameter carries the state.
  kind text NOT NULL CHECK (kind IN ('contact_way', 'link')),
  state text NOT NULL CHECK (length(state) BETWEEN 1 AND 30),
  config_id text,
  qr_code text,
  link_url text,
  source text NOT NULL,
  campaign text,
  series text,
  dealer_id uuid,
  -- The rota: consultants (staff ids) WeCom shares the adds among, and the backups used when none of
  -- them can take customers.
  consultant_ids uuid[] NOT NULL,
  backup_ids uuid[] NOT NULL DEFAULT '{}',
  skip_verify boolean NOT NULL DEFAULT true,
  welcome jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, connector_id, state),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);

-- One friendship episode between a consultant (WeCom userid) and a customer: a re-add after a
-- deletion is a new episode, so retention per channel code and day keeps its history.
CREATE TABLE wecom_friendships (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  connector_id uuid NOT NULL,
  external_userid text NOT NULL,
  wecom_user_id text NOT NULL,
  staff_id uuid,
  channel_code_id uuid,
  add_way integer,
  state text,
  remark text,
  description text,
  remark_mobiles text[] NOT NULL DEFAULT '{}',
  wecom_tag_ids text[] NOT NULL DEFAULT '{}',
  added_at timestamptz NOT NULL,
  removed_at timestamptz,
  -- customer: the customer deleted the consultant (churn); staff: the consultant deleted the
  -- customer; transfer: WeCom ended it when the customer was handed over.
  removed_by text CHECK (removed_by IN ('customer', 'staff', 'transfer')),
  removed_source text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX wecom_friendships_live ON wecom_friendships (tenant_id, connector_id, external_userid, wecom_user_id) WHERE removed_at IS NULL;
CREATE INDEX wecom_friendships_by_customer ON wecom_friendships (tenant_id, connector_id, external_userid);
CREATE INDEX wecom_friendships_by_code ON wecom_friendships (tenant_id, channel_code_id, added_at) WHERE channel_code_id IS NOT NULL;
CREATE INDEX wecom_friendships_churn ON wecom_friendships (tenant_id, removed_at) WHERE removed_by = 'customer';

-- The welcome message of an add event: one row per WelcomeCode, written with the friendship, so a
-- code is sent at most once; WeCom's 41051 (used or expired) is recorded, never retried.
CREATE TABLE wecom_welcome_sends (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  welcome_code text NOT NULL,
  friendship_id uuid NOT NULL,
  channel_code_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'expired', 'failed')),
  errcode integer,
  error text,
  content jsonb,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  PRIMARY KEY (tenant_id, connector_id, welcome_code),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX wecom_welcome_by_code ON wecom_welcome_sends (tenant_id, channel_code_id, status);

-- Customer groups (客户群) and their members, from change_external_chat and groupchat/get.
CREATE TABLE wecom_groups (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  chat_id text NOT NULL,
  name text,
  owner text,
  notice text,
  created_at timestamptz,
  dismissed_at timestamptz,
  member_version text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, connector_id, chat_id),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE TABLE wecom_group_members (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  chat_id text NOT NULL,
  member_id text NOT NULL,
  -- 1 a member of the corp (userid), 2 an external contact (external_userid).
  member_type integer NOT NULL CHECK (member_type IN (1, 2)),
  unionid text,
  join_time timestamptz,
  join_scene integer,
  invitor text,
  left_at timestamptz,
  PRIMARY KEY (tenant_id, connector_id, chat_id, member_id),
  FOREIGN KEY (tenant_id, connector_id, chat_id) REFERENCES wecom_groups (tenant_id, connector_id, chat_id) ON DELETE CASCADE
);
CREATE INDEX wecom_group_members_by_member ON wecom_group_members (tenant_id, connector_id, member_id);

-- A WeCom friendship puts the customer in the consultant's dealer.
ALTER TABLE customer_links DROP CONSTRAINT customer_links_reason_check;
ALTER TABLE customer_links ADD CONSTRAINT customer_links_reason_check CHECK (reason IN ('lead', 'order', 'after_sales', 'origin', 'manual', 'wecom'));
