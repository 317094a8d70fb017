"""Resource exceptions: request, list, revoke, and expire them on time."""
