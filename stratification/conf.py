"""Settings of the nightly risk run, each with a default so a deployment sets only what it changes."""

from django.conf import settings


def chunk_size() -> int:
    """Patients per chunk: small enough to retry cheaply, large enough that set-based SQL pays."""
    return int(getattr(settings, "RISK_CHUNK_SIZE", 50_000))


def run_deadline_seconds() -> int:
    """A run not published within this time is failed (no endless wait on a lost chunk)."""
    return int(getattr(settings, "RISK_RUN_DEADLINE_SECONDS", 2 * 60 * 60))


def retention_days() -> int:
    """Days old runs are kept for history ("risen since last week") before they are dropped."""
    return int(getattr(settings, "RISK_RUN_RETENTION_DAYS", 35))


def scoring_path() -> str:
    """sql (set-based, PostgreSQL only) or python; the default follows the database."""
    from stratification.storage import is_postgresql

    return str(getattr(settings, "RISK_SCORING_PATH", "sql" if is_postgresql() else "python"))
