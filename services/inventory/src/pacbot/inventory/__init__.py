"""PacBot inventory service."""
