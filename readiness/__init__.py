"""HyperCode readiness library: the logic behind the checks, free of pytest."""
