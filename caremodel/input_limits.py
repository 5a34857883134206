"""Bounds every form, filter and serializer field that takes a number or text applies, so an
out-of-range value is refused with a message naming the field instead of overflowing a column.

Row ids are BIGINT (Django's BigAutoField); counters such as a record's version are INTEGER.
"""

MAX_ID = 2**63 - 1
MAX_INT = 2**31 - 1
# A day count no stay or page number comes near; far inside every column that holds one.
MAX_PAGE = 1_000_000
# The keyset cursor of the patient list: base64 of a short JSON array.
MAX_CURSOR = 500
