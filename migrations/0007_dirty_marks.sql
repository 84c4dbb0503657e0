-- Changed-profile marks are appended, never upserted: a writer marking a person (the One ID resolver,
-- a consent, a tag) never waits for a refresh that is working on the same person, and a mark made
-- while that refresh runs is a row of its own for the next one. A claim takes duplicates together.
ALTER TABLE profiles_dirty DROP CONSTRAINT profiles_dirty_pkey;
ALTER TABLE profiles_dirty ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE profiles_dirty ADD PRIMARY KEY (tenant_id, seq);
CREATE INDEX profiles_dirty_by_profile ON profiles_dirty (tenant_id, profile_id);
