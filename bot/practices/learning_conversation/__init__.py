"""The open learning conversation (seed 001): a manager's canvas."""
