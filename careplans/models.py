"""Anticipatory care plans, their versions and reviews, Pro-Active Care episodes."""
