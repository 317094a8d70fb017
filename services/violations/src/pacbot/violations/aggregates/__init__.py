"""Tallies behind the compliance figures: counted as rows change, rebuilt on demand."""
