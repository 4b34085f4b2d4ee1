-- Why a round failed: only the divergence guard's refusals count towards failing a job; a round lost to
-- an outage, to devices that vanished or to an admin's rollback is retried.
ALTER TABLE rounds ADD COLUMN failure_kind TEXT;
-- A round that waits too long for its model version has its aggregate sent again, a few times.
ALTER TABLE rounds ADD COLUMN aggregated_at TIMESTAMPTZ;
ALTER TABLE rounds ADD COLUMN resends INT NOT NULL DEFAULT 0;
