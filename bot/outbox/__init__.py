"""The outbox: every proactive message is a row first, and is sent from there."""
