"""Post-deploy checks: the live stack, read-only."""
