"""Use cases of risk stratification:
- runs: the nightly run's lifecycle (claim, chunk, score, publish, fail, expire, prune)
- calibration: fitting, measuring and activating a risk model
- risk_list: the audited risk list, its streamed export and the record's risk panel
"""
