"""A person's data rights in the chat: their copy, and deleting everything."""
