"""PacBot exceptions service."""
