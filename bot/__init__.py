"""The channel-agnostic Leercoach engine: people, dialogs, the rhythm and its records."""
