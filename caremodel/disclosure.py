"""Statistical disclosure control for aggregate figures shown to commissioners.

Counts of 1-7 are shown as "*", every other count is rounded to the nearest 5, so no
published figure isolates fewer than 8 people (NHS Digital's small-number practice).
"""

SUPPRESSED = "*"
SMALLEST_PUBLISHED = 8


def suppress_count(count: int) -> str:
    if count < 0:
        raise ValueError("A count cannot be negative.")
    if count == 0:
        return "0"
    if count < SMALLEST_PUBLISHED:
        return SUPPRESSED
    return str(5 * round(count / 5))
