"""The monthly reflection and the focus for the month ahead."""
