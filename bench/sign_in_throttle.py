"""Sign-in throttling (django-axes): how many wrong passwords are answered before the lockout.

    LOOKOUT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_home \\
        .venv/bin/python bench/sign_in_throttle.py [--max-attempts 100]

(SQLite under var/bench-sign-in-throttle without LOOKOUT_BENCH_DATABASE_URL.) Migrates the bench
database and empties every one of its tables (``flush``: never point it at real data) before each
case, then adds one account and one staff account. Posts to ``/login/`` and ``/admin/login/``
through ``django.test.Client``, the client's address in ``REMOTE_ADDR`` (the settings'
``_client_address`` reads it while ``LOOKOUT_TRUSTED_PROXY_COUNT`` is 0, the default, which this
bench requires). Three cases on each page:

- one account, one address: a wrong password again and again;
- one address, a different (unknown) account each time: the per-address rule;
- one account, a different address each time: the per-account rule.

Each case posts wrong passwords until the answer is a lockout (429, or "Too many failed
sign-ins"), up to ``--max-attempts``, and prints how many were answered as an ordinary wrong
password, the answer when locked, then whether the right password signs in from the address last
used and from a fresh one. Figures only, no pass or fail. The limits are
``LOOKOUT_LOGIN_FAILURE_LIMIT`` and ``LOOKOUT_LOGIN_COOLOFF_MINUTES`` (dashboard/settings.py).
"""

from __future__ import annotations

import argparse
import logging
import sys

from harness import configure_django_pages  # bench/ is on sys.path when a bench runs as a script

PASSWORD = "bench-Right-Passw0rd-9Zq"  # noqa: S105 (a throwaway account in the bench database)
LOCKED = "Too many failed sign-ins"
# The members' page says "a correct username", the admin's "the correct username ... staff account".
WRONG = ("Please enter a correct username and password", "Please enter the correct username and")
FRESH_ADDRESS = "198.51.100.200"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-attempts", type=int, default=100)
    args = parser.parse_args()
    vendor = configure_django_pages("bench-sign-in-throttle")
    from django.conf import settings
    from django.core.management import call_command

    # axes logs every failure and lockout, Django every 429: the table says it all.
    for name in ("axes", "django.request"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if settings.LOOKOUT_TRUSTED_PROXY_COUNT:
        sys.exit("LOOKOUT_TRUSTED_PROXY_COUNT must be 0: the bench sets the address in REMOTE_ADDR")
    call_command("migrate", verbosity=0)
    print(f"database {vendor}; LOOKOUT_LOGIN_FAILURE_LIMIT={settings.LOOKOUT_LOGIN_FAILURE_LIMIT}, "
          f"LOOKOUT_LOGIN_COOLOFF_MINUTES={settings.LOOKOUT_LOGIN_COOLOFF_MINUTES}, "
          f"AXES_LOCKOUT_PARAMETERS={settings.AXES_LOCKOUT_PARAMETERS}")  # fmt: skip
    print(f"\n{'page':<14} {'case':<40} {'answered':>8} {'locked on':>9} {'status':>6} "
          f"{'right password':>14} {'from elsewhere':>14}")  # fmt: skip
    for page in ("/login/", "/admin/login/"):
        for case in CASES:
            answered, locked_on, status, here, elsewhere = run_case(page, case, args.max_attempts)
            print(f"{page:<14} {case:<40} {answered:>8} {locked_on:>9} {status:>6} {here:>14} "
                  f"{elsewhere:>14}")  # fmt: skip
    print("\nanswered: wrong passwords answered as such; locked on: the attempt answered with the "
          "lockout, and its status; right password: the account's right password next, from the "
          "last address used; from elsewhere: then from an address not used before")  # fmt: skip


ONE_ACCOUNT_ONE_ADDRESS = "one account, one address"
ONE_ADDRESS_MANY_ACCOUNTS = "one address, another account each time"
ONE_ACCOUNT_MANY_ADDRESSES = "one account, another address each time"
CASES = (ONE_ACCOUNT_ONE_ADDRESS, ONE_ADDRESS_MANY_ACCOUNTS, ONE_ACCOUNT_MANY_ADDRESSES)


def run_case(page: str, case: str, max_attempts: int) -> tuple[str, str, str, str, str]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("flush", interactive=False, verbosity=0)  # axes' attempts and logs included
    users = get_user_model().objects
    if page.startswith("/admin/"):  # the admin's sign-in takes staff only
        users.create_user(username="bench", password=PASSWORD, is_staff=True, is_superuser=True)
    else:
        users.create_user(username="bench", password=PASSWORD)

    client = Client()
    answered, locked_on, status, address = 0, "never", "-", "203.0.113.1"
    for attempt in range(1, max_attempts + 1):
        username = f"guess-{attempt}" if case == ONE_ADDRESS_MANY_ACCOUNTS else "bench"
        if case == ONE_ACCOUNT_MANY_ADDRESSES:
            address = f"203.0.{113 + attempt // 250}.{attempt % 250 + 1}"
        response = _post(client, page, username, "wrong-password", address)
        html = response.content.decode()
        if response.status_code == 429 or LOCKED in html:
            locked_on, status = str(attempt), str(response.status_code)
            break
        if response.status_code != 200 or not any(text in html for text in WRONG):
            # Neither a wrong password nor a lockout: shown, not counted.
            locked_on, status = f"? {attempt}", str(response.status_code)
            break
        answered += 1
    here = _signs_in(page, address)
    elsewhere = _signs_in(page, FRESH_ADDRESS)
    return str(answered), locked_on, status, here, elsewhere


def _post(client, page: str, username: str, password: str, address: str):
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signs_in(page: str, address: str) -> str:
    """The right password from ``address``, in a new browser: "signs in" or the answer."""
    from django.contrib.auth import SESSION_KEY
    from django.test import Client

    client = Client()
    response = _post(client, page, "bench", PASSWORD, address)
    if response.status_code == 302 and SESSION_KEY in client.session:
        return "signs in"
    refused = "locked" if LOCKED in response.content.decode() else "refused"
    return f"{refused} {response.status_code}"


if __name__ == "__main__":
    main()
