"""Report content: sign-off, comparison, provenance, usage, HTML extras."""
