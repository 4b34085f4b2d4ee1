-- A cancelled job's checkpoints are no longer served to its devices (admins can still export them).
ALTER TABLE models ADD COLUMN cancelled_at TIMESTAMPTZ;
