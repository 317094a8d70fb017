"""Cloud change events (EventBridge / CloudTrail) that re-discover just the resources they name."""
