"""Where someone stands in the rhythm: the overview message and the home page."""
