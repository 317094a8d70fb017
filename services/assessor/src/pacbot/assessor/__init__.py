"""PacBot assessor service."""
