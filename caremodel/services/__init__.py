"""Use cases of the care model: staff accounts, roles and teams (audited), sessions, idempotent intake."""
