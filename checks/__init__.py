"""The checklist as pytest modules: preflight/, postdeploy/, rollback/, one module per area."""
