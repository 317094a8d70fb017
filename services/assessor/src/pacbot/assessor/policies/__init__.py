"""Policies as code: the YAML model, the pack loader, the registry and its HTTP surface."""
