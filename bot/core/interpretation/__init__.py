"""Reading what people type the way they type it, in Dutch (with Flemish usage) and English.

Every question kind asks this layer before it refuses a reply: one module per kind of
reading (yes/no, numbers, choices, weekdays, clock times, dates, time zones) and one for the
intents a message can carry instead of an answer (postpone, clarify, don't know, same as last
time) or outside a conversation (greeting, thanks, a day off, a wish). Word lists are language
data in `prompts/lexicon/<locale>.toml`. A reading is sure or a proposal: an uncertain one is
offered to the person as a one-tap confirmation instead of a refusal.
"""
