"""Peer pairing: who meets whom each round (rotating, steady or mentoring), and its records."""
