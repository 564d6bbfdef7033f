"""Peer pairing: who meets whom each round, the rounds, and the chat around a pairing."""
