"""Read-only views computed from the records: the facilitator dashboard and a person's own page."""
