"""The daily reflection: a short diary in the DM, and its entries and streaks."""
