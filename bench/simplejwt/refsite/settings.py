"""Settings of the reference: Django REST framework + Simple JWT with
refresh-token rotation and the blacklist (a rotated token cannot be used
again), as the project's reference templates run it. Nothing is tuned
beyond what Django's deployment documentation shows (persistent database
connections); scripts/compare.sh sets the environment: REFSITE_DB, a
SQLite file, or REFSITE_DATABASE_URL, mysql://user:pass@host:port/db."""
import os
from datetime import timedelta
from urllib.parse import unquote, urlsplit

SECRET_KEY = os.environ["REFSITE_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "refsite.urls"
WSGI_APPLICATION = "refsite.wsgi.application"
if os.environ.get("REFSITE_DATABASE_URL"):
    _u = urlsplit(os.environ["REFSITE_DATABASE_URL"])
    _db = {
        "ENGINE": "django.db.backends.mysql",
        "NAME": _u.path.lstrip("/"),
        "USER": unquote(_u.username or ""),
        "PASSWORD": unquote(_u.password or ""),
        "HOST": _u.hostname,
        "PORT": str(_u.port or 3306),
        "OPTIONS": {"charset": "utf8mb4"},
    }
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["REFSITE_DB"]}
_db["CONN_MAX_AGE"] = 60  # keep connections, as the deployment checklist advises
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
