-- The round engine's divergence guard keeps its memory as fl-core's GuardState text; it replaces the
-- three columns of the earlier, cruder guard.
ALTER TABLE jobs ADD COLUMN guard_state TEXT;
ALTER TABLE jobs DROP COLUMN best_loss;
ALTER TABLE jobs DROP COLUMN good_version;
ALTER TABLE jobs DROP COLUMN lr_scale;

-- Federated evaluation of a round's base version (devices' private validation slices) and the step
-- scale the round ran with.
ALTER TABLE rounds ADD COLUMN eval_loss REAL;
ALTER TABLE rounds ADD COLUMN eval_accuracy REAL;
ALTER TABLE rounds ADD COLUMN eval_devices INT NOT NULL DEFAULT 0;
ALTER TABLE rounds ADD COLUMN step_scale REAL;

ALTER TABLE updates ADD COLUMN eval_loss REAL;
ALTER TABLE updates ADD COLUMN eval_accuracy REAL;
ALTER TABLE updates ADD COLUMN eval_samples INT;
