"""Pausing and resuming the rhythm."""
