"""Bounded change history per asset: what changed between versions, and when."""
