"""Exceptions as the violations service sees them: a projection of ``pacbot.exceptions.v1``."""
