-- A refused submission counts once on the scorecard however often the same submission comes
-- again (a retried request, an import run again): each rejection carries a fingerprint of the
-- submission (SHA-256 of the request), unique per dealer. Rows from before get their own id.
-- Paired with migrations/sqlite/ of the same name.
ALTER TABLE submission_rejections ADD COLUMN fingerprint text;
UPDATE submission_rejections SET fingerprint = id::text;
CREATE UNIQUE INDEX submission_rejections_fingerprint ON submission_rejections (dealer_id, fingerprint);
-- The fingerprint of the submission that created each registration: the same submission sent
-- again by its dealer is a retry (a resumed import), not a duplicate submission.
ALTER TABLE registrations ADD COLUMN submission_fingerprint text;
