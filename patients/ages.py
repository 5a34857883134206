"""Ages in completed years: the one definition the record, its rules and risk stratification share."""

from datetime import date


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years on `on`, as PostgreSQL's date_part('year', age(on, born)) counts them."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
