"""Pre-flight checks: before launch, changing nothing."""
