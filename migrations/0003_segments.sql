-- Issue 4: durable jobs, tags, segments, operating models (stage models) and the per-profile rollups
-- that segments read (first touch, reachability). Runs unchanged on PGlite and PostgreSQL.

-- Durable jobs and timers, claimed with FOR UPDATE SKIP LOCKED by any worker. (tenant, kind, key) is
-- unique, so "make sure this job exists" is an idempotent upsert; `generation` counts requests that
-- arrived while the job was running, so a finishing worker deletes it only if none did.
CREATE SEQUENCE jobs_id_seq;
CREATE TABLE jobs (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('jobs_id_seq'),
  kind text NOT NULL,
  key text NOT NULL,
  run_at timestamptz NOT NULL,
  payload jsonb,
  generation integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, kind, key)
);
-- Workers look across tenants for due jobs.
CREATE INDEX jobs_due ON jobs (run_at);

-- Profiles whose data changed (events, tags, consents, vehicles, merges) since the last incremental
-- refresh of tags, stages and segments.
CREATE TABLE profiles_dirty (
  tenant_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  marked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, profile_id)
);

-- What segments read about a person that is costly to derive from events on every evaluation:
-- the first touch and its source, active WeCom friendships, official-account follows.
CREATE TABLE profile_rollups (
  tenant_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  first_touch_at timestamptz,
  first_source_id uuid,
  first_source_kind text,
  first_domain_class text,
  wecom_staff text[] NOT NULL DEFAULT '{}',
  oa_apps text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, profile_id)
);

-- Event conditions ("performed X N times in the last 30 days") read events by name and time; the
-- profile id is a key column so that the index alone answers them. (As `INCLUDE (profile_id)` with
-- `WHERE event IS NOT NULL` the index cost PGlite's ingest 8x: 598 vs 4,750 events/s, measured.)
CREATE INDEX events_by_name ON events (tenant_id, event, "timestamp", profile_id);
-- The rollups' reads of a person's WeCom friendships and official-account follows: rare events, so
-- small indexes that cost nothing to the rest of ingest (the queries repeat these literal lists).
CREATE INDEX events_wecom_contacts ON events (tenant_id, profile_id, "timestamp" DESC, id DESC)
  WHERE event IN ('WeCom Contact Added', 'WeCom Contact Removed');
CREATE INDEX events_oa_follows ON events (tenant_id, profile_id, "timestamp" DESC, id DESC)
  WHERE event IN ('Official Account Followed', 'Official Account Unfollowed');

CREATE TABLE tag_groups (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE tags (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  group_id uuid NOT NULL,
  name text NOT NULL,
  description text,
  kind text NOT NULL CHECK (kind IN ('manual', 'rule')),
  -- A rule tag's segment definition (DSL); null for manual tags.
  definition jsonb,
  time_dependent boolean NOT NULL DEFAULT false,
  refreshed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, group_id, name),
  FOREIGN KEY (tenant_id, group_id) REFERENCES tag_groups (tenant_id, id),
  CHECK ((kind = 'rule') = (definition IS NOT NULL))
);

CREATE TABLE profile_tags (
  tenant_id uuid NOT NULL,
  tag_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  applied_at timestamptz NOT NULL,
  applied_by text NOT NULL,
  PRIMARY KEY (tenant_id, tag_id, profile_id)
);
CREATE INDEX profile_tags_by_profile ON profile_tags (tenant_id, profile_id);

CREATE SEQUENCE tag_history_id_seq;
CREATE TABLE tag_history (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('tag_history_id_seq'),
  tag_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  action text NOT NULL CHECK (action IN ('applied', 'removed')),
  actor text NOT NULL,
  reason text,
  at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX tag_history_by_profile ON tag_history (tenant_id, profile_id, id DESC);
CREATE INDEX tag_history_by_tag ON tag_history (tenant_id, tag_id, id DESC);

CREATE TABLE segments (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  description text,
  definition jsonb NOT NULL,
  revision integer NOT NULL DEFAULT 1,
  time_dependent boolean NOT NULL DEFAULT false,
  member_count integer NOT NULL DEFAULT 0,
  refreshed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE segment_members (
  tenant_id uuid NOT NULL,
  segment_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  entered_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, segment_id, profile_id)
);
CREATE INDEX segment_members_by_profile ON segment_members (tenant_id, profile_id);

-- segment_entered / segment_exited records, read by journeys with a cursor (id).
CREATE SEQUENCE segment_changes_id_seq;
CREATE TABLE segment_changes (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('segment_changes_id_seq'),
  segment_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('segment_entered', 'segment_exited')),
  at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX segment_changes_by_segment ON segment_changes (tenant_id, segment_id, id);

CREATE TABLE segment_daily_counts (
  tenant_id uuid NOT NULL,
  segment_id uuid NOT NULL,
  day date NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (tenant_id, segment_id, day)
);

-- Operating models (5A, AARRR, AIPL or the tenant's own): ordered stages, each a segment condition.
CREATE TABLE stage_models (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
  name text NOT NULL,
  description text,
  preset text,
  progression text NOT NULL CHECK (progression IN ('highest_match', 'no_regression')),
  stages jsonb NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  revision integer NOT NULL DEFAULT 1,
  time_dependent boolean NOT NULL DEFAULT false,
  refreshed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
CREATE UNIQUE INDEX stage_models_one_default ON stage_models (tenant_id) WHERE is_default;

CREATE TABLE profile_stages (
  tenant_id uuid NOT NULL,
  model text NOT NULL,
  profile_id uuid NOT NULL,
  stage text NOT NULL,
  since timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, model, profile_id)
);
CREATE INDEX profile_stages_by_stage ON profile_stages (tenant_id, model, stage);
CREATE INDEX profile_stages_by_profile ON profile_stages (tenant_id, profile_id);

-- Every stage change with its time; from_stage null: entered the model; to_stage null: left it
-- (no stage holds any more, merged away or erased).
CREATE SEQUENCE stage_transitions_id_seq;
CREATE TABLE stage_transitions (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('stage_transitions_id_seq'),
  model text NOT NULL,
  profile_id uuid NOT NULL,
  from_stage text,
  to_stage text,
  at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX stage_transitions_by_profile ON stage_transitions (tenant_id, model, profile_id, at DESC, id DESC);
CREATE INDEX stage_transitions_by_time ON stage_transitions (tenant_id, model, at);

-- Reads of trait and property values in segment conditions: never an error on a malformed value.
-- A number, or a string that is one, as numeric; anything else null.
CREATE FUNCTION siyu_num(v jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'number' THEN (v #>> '{}')::numeric
    WHEN 'string' THEN CASE WHEN (v #>> '{}') ~ '^\s*-?[0-9]{1,30}(\.[0-9]{1,30})?\s*$' THEN (v #>> '{}')::numeric END
  END
$$;

CREATE FUNCTION siyu_time_slow(v text, tz text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF length(v) = 10 OR v !~ '(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$' THEN
    RETURN v::timestamp AT TIME ZONE tz;
  END IF;
  RETURN v::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- An ISO-8601 date ('2027-01-15', read in the tenant's time zone) or date-time as timestamptz; null
-- when the text is not one. Only days past the 28th take the slower path that catches bad dates.
CREATE FUNCTION siyu_time(v text, tz text) RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN v IS NULL OR v !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$' THEN NULL
    WHEN substr(v, 9, 2) > '28' THEN siyu_time_slow(v, tz)
    WHEN length(v) = 10 OR v !~ '(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$' THEN v::timestamp AT TIME ZONE tz
    ELSE v::timestamptz
  END
$$;
