"""The quarterly learning contract, linked to a goal and answered by a colleague."""
