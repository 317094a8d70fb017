"""Frameworks in the assessor: policy mappings checked against the catalogue, and coverage."""
