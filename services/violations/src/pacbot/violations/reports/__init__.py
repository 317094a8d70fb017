"""Exports of the violations listing: CSV for spreadsheets, OCSF Compliance Findings for SIEMs."""
