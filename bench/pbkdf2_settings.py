"""Lookout's settings with PBKDF2 preferred, as Django ships: the baseline of sign_in_burst.py."""

from dashboard.settings import *  # noqa: F403 (every setting as Lookout's, but the next)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
