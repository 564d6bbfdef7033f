"""The kernel every layer shares: the message model, flows and prompts as data, reading
answers, and the hook API (bot.core.registry) through which practices plug in."""
