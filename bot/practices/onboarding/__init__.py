"""The first conversation: language, diary time, workdays."""
