"""The practices of the method, one module each; each registers its hooks (see bot.hooks)."""
