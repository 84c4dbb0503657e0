-- Tag sync between Siyu's tag groups and a WeCom corp's customer tags (企业客户标签), both ways. The
-- connector keeps the Siyu tag groups chosen for it in step: their tags exist in WeCom under the
-- same names (ids mapped), and a person's tags follow what the consultants set on the customer in
-- WeCom and the other way round. WeCom sends no callback for changes made through its API, so every
-- decision is a three-way merge against what both sides held at the last sync (the "synced" values
-- below): only the side that moved away from it is followed, and nothing just pulled is pushed back.

-- The sync of one connector: its full runs (pull + push, requested by an admin) and the callbacks
-- that ask for WeCom's tag list to be read again.
CREATE TABLE wecom_tag_syncs (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  -- change_external_tag callbacks ask for get_corp_tag_list to be read again: requests counted,
  -- those the job has read for, and the time of the earliest outstanding one (the WeCom side's time
  -- in a rename both sides made).
  pull_requests bigint NOT NULL DEFAULT 0,
  pull_done bigint NOT NULL DEFAULT 0,
  pull_requested_at timestamptz,
  -- Full runs (pull + push of everything): requests counted, and those a run has read WeCom's list
  -- and queued every customer for.
  full_requests bigint NOT NULL DEFAULT 0,
  full_started bigint NOT NULL DEFAULT 0,
  full_requested_at timestamptz,
  full_requested_by text,
  run_state text NOT NULL DEFAULT 'idle' CHECK (run_state IN ('idle', 'queued', 'running', 'succeeded', 'failed')),
  run_started_at timestamptz,
  run_finished_at timestamptz,
  -- What the full run did ({"pushed": …, "pulled": …, "problems": […]}), or why it stopped ({"code", "message"}).
  run_result jsonb,
  run_error jsonb,
  -- The last error of the sync's job (a full run or the pushes of single changes), cleared by a run without one.
  last_error jsonb,
  last_synced_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, connector_id),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);

-- The Siyu tag groups a connector syncs (a group deleted in Siyu leaves the selection).
CREATE TABLE wecom_tag_sync_groups (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  tag_group_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, connector_id, tag_group_id),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, tag_group_id) REFERENCES tag_groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX wecom_tag_sync_groups_by_group ON wecom_tag_sync_groups (tenant_id, tag_group_id);

-- The corp's tag groups and tags as last read from WeCom (or written to it), each with the Siyu tag
-- group or tag it maps to. `synced_name` is the name both sides had at the last sync. A row whose
-- WeCom tag was deleted while its Siyu tag could not follow (a segment uses it) stays as a tombstone
-- (deleted_at set): the Siyu tag is then not created in WeCom again.
CREATE TABLE wecom_corp_tags (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  wecom_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('group', 'tag')),
  wecom_group_id text,
  name text NOT NULL,
  wecom_order bigint NOT NULL DEFAULT 0,
  siyu_id uuid,
  synced_name text,
  -- When the name read from WeCom last changed (the WeCom side's time in a rename both sides made).
  name_changed_at timestamptz,
  deleted_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, connector_id, wecom_id),
  CHECK ((kind = 'group') = (wecom_group_id IS NULL)),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX wecom_corp_tags_by_siyu ON wecom_corp_tags (tenant_id, connector_id, siyu_id) WHERE siyu_id IS NOT NULL;

-- Who held a synced tag at the last sync, on both sides: a person's side of the three-way merge.
CREATE TABLE wecom_tag_sync_members (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  tag_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, tag_id, connector_id, profile_id),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX wecom_tag_sync_members_by_profile ON wecom_tag_sync_members (tenant_id, connector_id, profile_id);

-- The synced corp tag ids a friendship carried at the last sync (a consultant's side of the merge);
-- when Siyu last marked tags on it, and whether WeCom's answer stored since may predate that mark
-- (then the job reads the customer again before trusting it).
CREATE TABLE wecom_tag_sync_follows (
  tenant_id uuid NOT NULL,
  friendship_id uuid NOT NULL,
  tag_ids text[] NOT NULL,
  pushed_at timestamptz,
  stale boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, friendship_id),
  FOREIGN KEY (tenant_id, friendship_id) REFERENCES wecom_friendships (tenant_id, id) ON DELETE CASCADE
);

-- Customers (external_userid) whose tags the sync job is to reconcile; `version` goes up with every
-- new mark, so the job clears only the marks it has handled.
CREATE TABLE wecom_tag_sync_dirty (
  tenant_id uuid NOT NULL,
  connector_id uuid NOT NULL,
  external_userid text NOT NULL,
  version bigint NOT NULL DEFAULT 1,
  marked_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, connector_id, external_userid),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
