"""Dialog flows, texts (nl, en) and command words, as data an organisation can override."""
