"""Focus competences: choosing from the organisation's catalog."""
