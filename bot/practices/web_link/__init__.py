"""A one-time link into the web pages, sent in the DM."""
