"""Who someone is: finding or creating a person, their roles, their preferences, and who may
see which web page."""
