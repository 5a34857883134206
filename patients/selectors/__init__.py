"""Queries that read the patient record, always scoped through the access policy where they reach
patients for a user. They write nothing (not even audit entries): the services that show what
they read do that."""
