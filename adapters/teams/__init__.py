"""The Microsoft Teams adapter: botbuilder in one module (sdk.py), Adaptive Cards, the outbox
sender, the app package."""
