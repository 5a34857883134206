"""Risk models, nightly risk runs and scores (arrives with the risk stratification issue)."""
