"""The conversation engine: the Coach takes one inbound event, runs it as one Turn in one
transaction (dialogs walked step by step, hooks called through the Services object), and
hands the replies back after the commit."""
