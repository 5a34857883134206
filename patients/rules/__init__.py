"""The rules of the patient record, each written once and asked by every entry point (forms, the
API, services and imports), so that the same input gets the same verdict and message wherever it
arrives (tests/patients/test_rule_parity.py)."""
