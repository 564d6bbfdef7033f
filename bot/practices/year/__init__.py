"""The yearly look back and the learning-organisation day."""
