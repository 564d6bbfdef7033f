"""The practices of the method, one folder each: its hooks, and where it has them, its records."""
