"""Operations of the runbook: stack, health, backup, restore, drill, release."""
