"""PacBot autofix service."""
