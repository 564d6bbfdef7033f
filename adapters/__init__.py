"""Thin translations between a platform (Slack, Teams, web, terminal) and the engine."""
