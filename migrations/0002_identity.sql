-- One ID: profiles, the identity graph and its audit, vehicles, households, consent.
-- Runs unchanged on PGlite and PostgreSQL. Every table has tenant_id first in its keys.

-- Per-tenant overrides of the built-in identifier types, and custom types. Built-in defaults live in
-- code (modules/identity/types.ts); a row here replaces the default for its type.
CREATE TABLE identifier_types (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]{0,62}$'),
  priority integer NOT NULL CHECK (priority BETWEEN 0 AND 1000),
  max_per_profile integer NOT NULL CHECK (max_per_profile BETWEEN 1 AND 1000),
  merges boolean NOT NULL,
  scoped boolean NOT NULL,
  normalizer text NOT NULL CHECK (normalizer IN ('phone', 'email', 'exact', 'lower')),
  trait_names text[] NOT NULL DEFAULT '{}',
  reassign_after_days integer CHECK (reassign_after_days IS NULL OR reassign_after_days > 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, type)
);

-- The tenant's own junk values (normalised), on top of the built-in list.
CREATE TABLE identifier_blocklist (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type text NOT NULL,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, type, value)
);

-- How a trait combines when it changes or when profiles merge (default: latest wins).
CREATE TABLE trait_strategies (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  trait text NOT NULL,
  strategy text NOT NULL CHECK (strategy IN ('latest', 'first', 'max', 'union')),
  PRIMARY KEY (tenant_id, trait)
);

-- A person. A merged-away profile keeps its row with merged_into set (always the final survivor), so
-- old ids answer with a redirect. traits: current values; trait_meta: per trait {at, source, ...}.
CREATE TABLE profiles (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  merged_into uuid,
  traits jsonb NOT NULL DEFAULT '{}',
  trait_meta jsonb NOT NULL DEFAULT '{}',
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX profiles_merged ON profiles (tenant_id, merged_into) WHERE merged_into IS NOT NULL;
-- Name search (GET /api/v1/profiles?q=王): prefix of the lower-cased name.
CREATE INDEX profiles_by_name ON profiles (tenant_id, lower(traits ->> 'name') text_pattern_ops) WHERE merged_into IS NULL;

-- The identity graph: an identifier (type, scope, value) belongs to at most one live profile.
-- scope is '' for unscoped types (user_id, phone ...), the app / corp / dealer id otherwise.
CREATE TABLE profile_identifiers (
  tenant_id uuid NOT NULL,
  type text NOT NULL,
  scope text NOT NULL,
  value text NOT NULL,
  profile_id uuid NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, type, scope, value)
);
-- profile_id leads (it is a UUID, unique across tenants): with tenant_id first, the planner with stale
-- statistics used this index, by tenant alone, for lookups by (type, scope, value) and read the
-- tenant's whole graph per ingest batch.
CREATE INDEX profile_identifiers_by_profile ON profile_identifiers (profile_id, tenant_id);
-- Phone suffix search (GET /api/v1/profiles?q=1234): reversed value, prefix-searchable.
CREATE INDEX profile_identifiers_phone_suffix ON profile_identifiers (tenant_id, reverse(value) text_pattern_ops) WHERE type = 'phone';

-- Identifiers a profile held and lost: a recycled phone number moved to its new owner, a split.
CREATE TABLE former_identifiers (
  tenant_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  type text NOT NULL,
  scope text NOT NULL,
  value text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  valid_to timestamptz NOT NULL,
  reason text NOT NULL
);
CREATE INDEX former_identifiers_by_profile ON former_identifiers (tenant_id, profile_id);

-- Every merge, blocked merge, identifier reassignment and split, with what triggered it.
CREATE SEQUENCE identity_log_id_seq;
CREATE TABLE identity_log (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('identity_log_id_seq'),
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL CHECK (kind IN ('merge', 'blocked_merge', 'reassign', 'split', 'rebuild')),
  reason text,
  trigger_message_id text,
  identifiers jsonb NOT NULL DEFAULT '[]',
  profiles_before uuid[] NOT NULL,
  profile_after uuid,
  actor text,
  details jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX identity_log_by_profile_after ON identity_log (tenant_id, profile_after);
CREATE INDEX identity_log_by_profiles_before ON identity_log USING gin (profiles_before);

-- Events know the profile they resolved to (kept current through merges and splits).
ALTER TABLE events ADD COLUMN profile_id uuid;
CREATE INDEX events_by_profile ON events (tenant_id, profile_id, "timestamp" DESC, id DESC);

-- Vehicles, keyed by VIN (validated in code: ISO 3779 / GB 16735 check digit).
CREATE TABLE vehicles (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  vin text NOT NULL CHECK (vin ~ '^[0-9A-HJ-NPR-Z]{17}$'),
  series text,
  model text,
  model_year integer CHECK (model_year IS NULL OR model_year BETWEEN 1950 AND 2100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, vin)
);

-- Person <-> vehicle with a role and a validity period; valid_to NULL = current.
CREATE TABLE vehicle_relations (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  vin text NOT NULL,
  profile_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('buyer', 'owner', 'driver', 'payer')),
  valid_from timestamptz NOT NULL,
  valid_to timestamptz,
  source text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, vin) REFERENCES vehicles (tenant_id, vin) ON DELETE CASCADE,
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX vehicle_relations_by_vin ON vehicle_relations (tenant_id, vin);
CREATE INDEX vehicle_relations_by_profile ON vehicle_relations (tenant_id, profile_id);
-- One current relation per person, vehicle and role.
CREATE UNIQUE INDEX vehicle_relations_current ON vehicle_relations (tenant_id, vin, profile_id, role) WHERE valid_to IS NULL;

-- Households link people without merging them; a person is in at most one household.
CREATE TABLE households (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE household_members (
  tenant_id uuid NOT NULL,
  household_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  relation text,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, profile_id),
  FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX household_members_by_household ON household_members (tenant_id, household_id);

-- Consent (PIPL): the current state per profile x channel x purpose, and its full history.
CREATE TABLE consents (
  tenant_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'phone_call', 'wecom', 'wechat_oa', 'app_push', 'email')),
  purpose text NOT NULL CHECK (purpose IN ('marketing', 'service', 'survey')),
  state text NOT NULL CHECK (state IN ('granted', 'denied', 'withdrawn')),
  at timestamptz NOT NULL,
  source text,
  org_unit text,
  PRIMARY KEY (tenant_id, profile_id, channel, purpose)
);
CREATE SEQUENCE consent_history_id_seq;
CREATE TABLE consent_history (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('consent_history_id_seq'),
  profile_id uuid NOT NULL,
  channel text NOT NULL,
  purpose text NOT NULL,
  state text NOT NULL,
  at timestamptz NOT NULL,
  source text,
  org_unit text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  note text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX consent_history_by_profile ON consent_history (tenant_id, profile_id, at DESC);
