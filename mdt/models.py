"""MDT meetings, meeting-list preparation, case outcomes and actions."""
