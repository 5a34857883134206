"""Queries that read risk: always the published run, always through the access policy's scope for a
user. They write nothing; the services that show what they read audit it."""
