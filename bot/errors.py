"""The error an operator must fix: a setting Leercoach cannot use.

Below every other module, so that reading the environment (bot/config.py) may check a value
with the part that uses it (the encryption keys) without the two importing each other.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """An environment variable holds a value Leercoach cannot use."""
