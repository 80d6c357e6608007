"""The audit log every service writes to."""
