"""The web adapter: the web chat at `/`, the personal page `/me` and the dashboard."""
