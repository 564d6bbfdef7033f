"""The check-in after missed diary nudges, and coming back after being unreachable."""
