"""PacBot violations service."""
