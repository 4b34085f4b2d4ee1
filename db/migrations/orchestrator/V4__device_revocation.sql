-- An admin can revoke a device: it takes no more part in rounds and cannot enrol again.
ALTER TABLE devices ADD COLUMN revoked_at TIMESTAMPTZ;
