"""A person's data rights and the organisation's duties: export, erasure and retention."""
