"""Test settings: the local settings with faster hashing and no demo passwords printed."""

from caremodel.settings.local import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests run Celery tasks in-process; tests/caremodel/test_celery.py drives a real worker
# over Redis when REDIS_URL is set.
CELERY_TASK_ALWAYS_EAGER = True
