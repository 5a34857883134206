"""Search keys: names folded to unaccented lower case so that "Zoë", "ZOE" and "zoe" match
the same rows on PostgreSQL and SQLite alike (no reliance on database collations)."""

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def name_search_key(value: str) -> str:
    """Unaccented, lower-case, punctuation removed ("O'Brien-Smith" -> "obriensmith")."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold().replace("ß", "ss")
    cleaned = _NOT_ALNUM.sub("", folded.replace("-", "").replace("'", ""))
    return _SPACES.sub(" ", cleaned).strip()


def postcode_key(value: str) -> str:
    """Upper case with one space before the inward code when the postcode is complete."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if len(compact) >= 5:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact
