-- A saved segment's members are computed by a job, not in the request that saves it:
-- materialized_revision is the definition revision its members were last computed for
-- (below revision: computing).
ALTER TABLE segments ADD COLUMN materialized_revision integer NOT NULL DEFAULT 0;
UPDATE segments SET materialized_revision = revision;
