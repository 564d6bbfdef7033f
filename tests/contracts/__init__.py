"""Checks of what we send against the platforms' published contracts (Block Kit rules, app
manifest schemas). Free of pytest: the Slack mock and the benchmarks import them."""
