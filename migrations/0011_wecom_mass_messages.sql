-- WeCom mass messages (企业群发) to a saved segment or a tag, each person reached through one of
-- their consultants: the task, one row per add_msg_template call (a consultant's share, in chunks),
-- and one row per person saying what happened to them. The per-customer cap is counted from the
-- person rows that hold a place in it.

-- How many mass messages a customer may receive from the corp per period. WeCom's default is as
-- many as the days of the calendar month; a corp admin can change it to 7 a week or 1 a day
-- (企业微信 → 群发助手 → 设置群发规则). One row for the tenant (connector_id NULL: the default of
-- its connectors) and one per connector that differs.
CREATE TABLE wecom_mass_caps (
  tenant_id uuid NOT NULL,
  connector_id uuid,
  period text NOT NULL CHECK (period IN ('month', 'week', 'day')),
  -- NULL: WeCom's figure for the period (the days of the month, 7, 1).
  max_per_period integer CHECK (max_per_period BETWEEN 1 AND 1000),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX wecom_mass_caps_tenant ON wecom_mass_caps (tenant_id) WHERE connector_id IS NULL;
CREATE UNIQUE INDEX wecom_mass_caps_connector ON wecom_mass_caps (tenant_id, connector_id) WHERE connector_id IS NOT NULL;

CREATE TABLE wecom_mass_messages (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  connector_id uuid NOT NULL,
  name text NOT NULL,
  audience_kind text NOT NULL CHECK (audience_kind IN ('segment', 'tag')),
  audience_id uuid NOT NULL,
  -- text and attachments as the API took them.
  content jsonb NOT NULL,
  -- Who asked: the audit actor; for staff their id and the root unit of their data scope (NULL:
  -- the whole tenant). The job acts in the creator's scope as it is when it runs.
  created_by text NOT NULL,
  creator_staff_id uuid,
  creator_unit_id uuid,
  -- The idempotency key (given, or derived from the request and its day) and the hash of the
  -- request it was first used with: the same key with another request is refused.
  dedupe_key text NOT NULL,
  request_hash text NOT NULL,
  -- queued → sending (recipients chosen) → sent (every share handed to WeCom; results collected)
  -- → completed; failed when it could not be prepared at all.
  state text NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'completed', 'failed')),
  error jsonb,
  -- The cap as it applied when the recipients were chosen.
  cap_period text,
  cap_limit integer,
  cap_from timestamptz,
  cap_until timestamptz,
  created_at timestamptz NOT NULL,
  prepared_at timestamptz,
  sent_at timestamptz,
  -- Results are read from WeCom until every recipient's is final, or until then at the latest.
  results_until timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, created_by, dedupe_key),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX wecom_mass_messages_recent ON wecom_mass_messages (tenant_id, created_at DESC, id DESC);

-- One add_msg_template call: a consultant (sender) and at most 10,000 of their customers. The state
-- is written before the call (submitting) so that a call whose answer was lost is never repeated.
CREATE TABLE wecom_mass_batches (
  tenant_id uuid NOT NULL,
  message_id uuid NOT NULL,
  batch_no integer NOT NULL,
  wecom_user_id text NOT NULL,
  staff_id uuid,
  recipients integer NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'submitting', 'submitted', 'failed', 'uncertain')),
  msgid text,
  errcode integer,
  error text,
  submitted_at timestamptz,
  results_done boolean NOT NULL DEFAULT false,
  polled_at timestamptz,
  PRIMARY KEY (tenant_id, message_id, batch_no),
  FOREIGN KEY (tenant_id, message_id) REFERENCES wecom_mass_messages (tenant_id, id) ON DELETE CASCADE
);

-- A person of the audience: skipped with a reason, or handed to WeCom through a consultant and
-- WeCom's send status (0 not sent yet, 1 sent, 2 not a friend, 3 WeCom's own cap) as last read.
-- holds_cap: the message counts against the customer's cap from reserved_at (queued, waiting, sent,
-- and a share whose submission is uncertain); it stops counting once it is known not to arrive.
CREATE TABLE wecom_mass_recipients (
  tenant_id uuid NOT NULL,
  message_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  external_userid text,
  wecom_user_id text,
  staff_id uuid,
  batch_no integer,
  status text NOT NULL CHECK (status IN ('skipped', 'queued', 'waiting', 'sent', 'not_friend', 'wecom_cap', 'unsent', 'failed')),
  reason text CHECK (reason IN ('no_friendship', 'consultant_inactive', 'no_consent', 'cap_reached', 'wecom_refused')),
  wecom_status integer,
  holds_cap boolean NOT NULL DEFAULT false,
  reserved_at timestamptz,
  sent_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, message_id, profile_id),
  FOREIGN KEY (tenant_id, message_id) REFERENCES wecom_mass_messages (tenant_id, id) ON DELETE CASCADE,
  CHECK ((status = 'skipped') = (reason IS NOT NULL))
);
CREATE INDEX wecom_mass_cap_holds ON wecom_mass_recipients (tenant_id, connector_id, external_userid, reserved_at) WHERE holds_cap;
CREATE INDEX wecom_mass_recipients_by_batch ON wecom_mass_recipients (tenant_id, message_id, batch_no, external_userid) WHERE batch_no IS NOT NULL;
