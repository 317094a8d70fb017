"""What AWS's own detectors say about an asset and the estate: vulnerabilities, threats,
missing patches and expiring certificates, read from the inventory's detector assets."""
