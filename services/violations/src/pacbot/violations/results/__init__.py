"""Latest result per (asset, policy), and tombstones of deleted assets."""
