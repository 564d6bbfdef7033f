"""What people record while they learn (diary entries, weekly plans, monthly focus, learning
contracts), as more than one practice, the outbox and the reports read it.

A practice keeps the queries only it needs in its own folder; what others read too lives
here, below the practices, so practices never import each other.
"""
