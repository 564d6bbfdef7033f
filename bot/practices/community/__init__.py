"""Community of practice (SOL) sessions: signing up and bringing a case."""
