"""A person's settings dialog: time, workdays, language, pairing."""
