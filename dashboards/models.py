"""Dashboards hold no data of their own: they read aggregates from the apps to their left."""
