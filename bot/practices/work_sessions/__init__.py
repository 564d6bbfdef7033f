"""Team work sessions: agenda, decisions, owners and experiments."""
