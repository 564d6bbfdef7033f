"""Persistence: models, database setup and migrations."""
