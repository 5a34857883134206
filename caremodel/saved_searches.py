"""Searches that name a person (a name, a date of birth, a postcode, an NHS number) never travel in a
URL, where server logs and browser history would keep them: the search form is POSTed, the terms are
kept in the user's own server-side session under a short random key, and the results page is
addressed by that key. A key is useless to anyone else and ends with the session."""

import secrets
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "_caremodel_searches"
KEEP = 20  # the newest searches of a session; older keys expire


def search_save(session: SessionBase, *, scope: str, filters: dict[str, Any]) -> str:
    searches: dict[str, Any] = dict(session.get(SESSION_KEY) or {})
    key = secrets.token_urlsafe(9)
    searches[key] = {"scope": scope, "filters": filters}
    if len(searches) > KEEP:
        for old in list(searches)[: len(searches) - KEEP]:
            del searches[old]
    session[SESSION_KEY] = searches
    return key


def search_load(session: SessionBase, *, scope: str, key: str) -> dict[str, Any] | None:
    """The filters saved under `key` for this kind of search, or None when unknown or expired."""
    found = (session.get(SESSION_KEY) or {}).get(key)
    if not isinstance(found, dict) or found.get("scope") != scope:
        return None
    filters = found.get("filters")
    return dict(filters) if isinstance(filters, dict) else None
