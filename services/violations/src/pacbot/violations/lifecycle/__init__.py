"""Violation lifecycle: open, exempt, re-open and close, each emitted as ``ViolationChanged``."""
