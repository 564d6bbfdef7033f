"""The Microsoft Teams adapter: botbuilder at the edge, Adaptive Cards, the outbox sender,
the app package."""
