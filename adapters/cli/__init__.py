"""The `leercoach` command, one module per area; the parser and dispatch are in main.py."""
