"""What the inventory can discover, and the read-only IAM policy that discovery needs."""
