"""SPA referrals, triage, routing, service worklists and bed capacity."""
