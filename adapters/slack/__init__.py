"""The Slack adapter: slack-bolt on the one aiohttp server, Block Kit, the outbox sender."""
