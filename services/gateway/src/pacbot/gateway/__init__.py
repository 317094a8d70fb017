"""PacBot gateway service."""
