"""Fix plans: created from violation events, notified, timed, executed and reported."""
