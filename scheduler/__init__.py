"""APScheduler ticks (due sweep, outbox dispatch, rounds) that drive the rhythm; see issue 4."""
