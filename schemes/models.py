"""BCF schemes, metrics, targets, actuals, budgets and spend, risks and milestones."""
