"""The pacbot command."""
