"""Compliance figures: aggregates over the latest results and the violations."""
