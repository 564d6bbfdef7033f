"""APScheduler ticks that drive the rhythm: the due sweep, outbox dispatch, dialog expiry.

The database decides who is due (bot.due); APScheduler only fires the ticks, never a
job per person, so any number of replicas can run them against one PostgreSQL.
"""
