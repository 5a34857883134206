import pytest

from caremodel.celery import app


@pytest.fixture
def eager_celery():
    """Run the fan-out in-process whatever REDIS_URL says (the real-worker path is the benchmark's)."""
    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def start_run(eager_celery, django_capture_on_commit_callbacks):
    """Start a run through the nightly entry point and return it refreshed."""
    from stratification.services import runs

    def start(**kwargs):
        kwargs.setdefault("triggered_by", "test")
        with django_capture_on_commit_callbacks(execute=True):
            run = runs.risk_run_start(**kwargs)
        if run is not None:
            run.refresh_from_db()
        return run

    return start
