"""Checklists for critical tasks (performance support): the catalog and ticking them off."""
