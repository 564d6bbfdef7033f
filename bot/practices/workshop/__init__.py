"""Workshops run by a facilitator in a channel: questions and polls."""
