"""Checks of what we send against the platforms' published contracts (Block Kit rules, Adaptive
Cards, app manifest schemas). Free of pytest: the mocks and the benchmarks import them."""
