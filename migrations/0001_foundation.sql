-- Siyu foundation: tenants, sources and credentials, audit log, and the event store.
-- Runs unchanged on PGlite and PostgreSQL. Every tenant-owned table has tenant_id first in its keys.

CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A source is one touchpoint that sends data (website, mini-program, WeCom, a lead platform ...).
CREATE TABLE sources (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('website', 'app', 'wechat_oa', 'mini_program', 'wecom', 'douyin',
    'xiaohongshu', 'autohome', 'yiche', 'dongchedi', 'dms', 'call_center', 'offline_store', 'ecommerce', 'other')),
  domain_class text NOT NULL CHECK (domain_class IN ('absolute', 'secondary', 'middle', 'semi', 'public')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

-- Secrets are stored only as SHA-256 hashes of 256-bit random values.
CREATE TABLE write_keys (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  source_id uuid NOT NULL,
  key_hash text NOT NULL,
  key_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX write_keys_by_hash ON write_keys (key_hash);
CREATE INDEX write_keys_by_source ON write_keys (tenant_id, source_id);

CREATE TABLE admin_tokens (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  token_hash text NOT NULL,
  token_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX admin_tokens_by_hash ON admin_tokens (token_hash);

-- Who changed what: credentials and permissions now; exports, merges and splits later.
CREATE SEQUENCE audit_log_id_seq;
CREATE TABLE audit_log (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('audit_log_id_seq'),
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  target_type text NOT NULL,
  target_id text NOT NULL,
  details jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at DESC);

-- The event store: append-only, range-partitioned by month of received_at (UTC). Partitions are
-- created on demand by siyu_ensure_events_partition before rows of a new month are written.
CREATE SEQUENCE events_id_seq;
CREATE TABLE events (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('events_id_seq'),
  received_at timestamptz NOT NULL,
  message_id text NOT NULL,
  type text NOT NULL CHECK (type IN ('identify', 'track', 'page', 'screen', 'group', 'alias')),
  source_id uuid NOT NULL,
  event text,
  name text,
  category text,
  user_id text,
  anonymous_id text,
  group_id text,
  previous_id text,
  "timestamp" timestamptz NOT NULL,
  original_timestamp timestamptz,
  sent_at timestamptz,
  properties jsonb,
  traits jsonb,
  -- Kept as sent and read whole; json (validated text) is a third cheaper to ingest than jsonb.
  -- properties and traits, which segments will query, are jsonb.
  context json,
  integrations json,
  PRIMARY KEY (tenant_id, received_at, id)
) PARTITION BY RANGE (received_at);

CREATE INDEX events_by_time ON events (tenant_id, "timestamp" DESC, id DESC);
-- No per-user index yet: each index costs every ingested row (two partial ones on user_id and
-- anonymous_id cost ~10 µs per event on PGlite, a fifth of the insert). Per-person reads arrive with
-- identity resolution, which will index what it needs (by profile).

-- Dedup on (tenant, messageId) across all partitions: a partitioned table cannot hold a unique key
-- without the partition column, so the ids live in their own table, written in the same transaction.
CREATE TABLE event_message_ids (
  tenant_id uuid NOT NULL,
  message_id text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, message_id)
);

CREATE FUNCTION siyu_ensure_events_partition(month_start timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  lower_bound timestamptz := date_trunc('month', month_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  upper_bound timestamptz := lower_bound + interval '1 month';
  part text := 'events_' || to_char(lower_bound AT TIME ZONE 'UTC', 'YYYY"m"MM');
BEGIN
  IF to_regclass(part) IS NULL THEN
    -- One creator at a time across processes; the loser finds the table and does nothing.
    PERFORM pg_advisory_xact_lock(7310302);
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
      part, lower_bound, upper_bound);
  END IF;
  RETURN part;
END;
$$;
