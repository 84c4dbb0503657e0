-- Work a request starts and a job finishes: the request answers 202 with the operation at once, the
-- job records how it ended. `kind` says what the operation does and how `subject_id` and `request`
-- read (tag.apply, tag.remove: the tag, and whom it concerns: {"segmentId"} or {"definition"}).
CREATE TABLE operations (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
  subject_id uuid,
  request jsonb NOT NULL,
  reason text,
  actor text NOT NULL,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  -- What a succeeded operation did (tag operations: {"changed", "unchanged"}).
  result jsonb,
  -- Why a failed operation stopped: {"code", "message"}.
  error jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  CHECK ((state = 'succeeded') = (result IS NOT NULL)),
  CHECK ((state = 'failed') = (error IS NOT NULL)),
  CHECK ((state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL))
);
