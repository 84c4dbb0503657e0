-- One ID from the log. The tracking API stores a batch's events and, in the same transaction, one
-- row here naming them; the resolver claims rows in seq order, resolves their events and deletes the
-- rows in its own transaction. A row exists exactly while its events are stored and unresolved, so no
-- reader can skip one, whatever order the ingest transactions commit in.
CREATE SEQUENCE identity_queue_seq;
CREATE TABLE identity_queue (
  tenant_id uuid NOT NULL,
  seq bigint NOT NULL DEFAULT nextval('identity_queue_seq'),
  -- The batch's received_at and event ids: with the tenant, the primary key of each event row.
  received_at timestamptz NOT NULL,
  event_ids bigint[] NOT NULL,
  events integer NOT NULL,
  -- What resolution reads of each event, as the tracking API extracted it (queued-identity.ts).
  identity text NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
-- Read once and deleted soon: not worth compressing on the ingest path.
ALTER TABLE identity_queue ALTER COLUMN identity SET STORAGE EXTERNAL;

-- Per tenant, what the resolver has done: totals and a recent rate for GET /api/v1/status.
CREATE TABLE identity_resolver_stats (
  tenant_id uuid PRIMARY KEY,
  resolved_total bigint NOT NULL DEFAULT 0,
  last_batch_at timestamptz,
  -- Milliseconds spent in resolver transactions: resolved_total / busy_ms_total is its throughput.
  busy_ms_total double precision NOT NULL DEFAULT 0,
  -- Events per second of resolver time, weighted towards the latest batches.
  events_per_second double precision NOT NULL DEFAULT 0
);
