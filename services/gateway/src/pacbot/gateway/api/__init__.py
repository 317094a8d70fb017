"""The public ``/api/v1`` surface: reads and writes forwarded to the owning services."""
