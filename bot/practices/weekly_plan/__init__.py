"""The weekly plan: what to practise this week, and how it went."""
