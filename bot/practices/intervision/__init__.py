"""Intervision cases posted to a channel and worked through by the group."""
