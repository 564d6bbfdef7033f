"""When the coach reaches out: due instants per person and rhythm, computed from local time."""
