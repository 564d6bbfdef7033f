"""The engine's core: the message model, the Coach and its turns, dialogs, flows, prompts,
reading answers, and the registry through which practices plug in."""
