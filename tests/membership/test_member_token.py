"""The member token: what the news site verifies without calling the platform (docs/membership-check.md)."""

import base64
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
import time_machine
from django.conf import settings

from membership.member_token import member_token_issue, member_token_verify, reader_reference
from membership.status import MemberStatus

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "membership-check.md"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MEMBER = MemberStatus(
    member=True, state="active", tier="Patron", benefits=["no_appeals"], recent_supporter=False
).as_claims()
NOT_A_MEMBER = MemberStatus().as_claims()


def _issue(status: dict = MEMBER, **kwargs) -> str:
    return member_token_issue(user_id=41, status=status, **kwargs)


def _tampered(token: str, **changes) -> str:
    """Same signature, other claims: what a reader who edits their cookie sends."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_valid_token_carries_the_members_claims():
    with time_machine.travel(T0, tick=False):
        claims = member_token_verify(_issue())

    assert claims is not None
    assert claims["member"] is True
    assert claims["state"] == "active"
    assert claims["tier"] == "Patron"
    assert claims["benefits"] == ["no_appeals"]
    assert claims["recent_supporter"] is False
    assert claims["iss"] == settings.MEMBER_TOKEN_ISSUER
    assert claims["exp"] - claims["iat"] == 24 * 3600


def test_the_subject_is_opaque_never_the_email_or_the_database_id():
    claims = member_token_verify(_issue())

    assert claims is not None
    assert claims["sub"] == reader_reference(user_id=41)
    assert claims["sub"] != "41"
    assert "@" not in claims["sub"]
    assert reader_reference(user_id=41) != reader_reference(user_id=42)


def test_a_non_member_token_says_not_a_member():
    claims = member_token_verify(_issue(NOT_A_MEMBER))

    assert claims is not None
    assert claims["member"] is False
    assert claims["tier"] is None
    assert claims["benefits"] == []


def test_a_token_is_valid_until_its_expiry_and_not_after():
    with time_machine.travel(T0, tick=False):
        token = _issue()
    with time_machine.travel(T0 + timedelta(hours=23, minutes=59), tick=False):
        assert member_token_verify(token) is not None
    with time_machine.travel(T0 + timedelta(hours=24, seconds=1), tick=False):
        assert member_token_verify(token) is None


def test_a_tampered_token_is_not_a_member():
    token = _issue(NOT_A_MEMBER)

    assert member_token_verify(_tampered(token, member=True)) is None


def test_a_token_signed_with_another_key_is_not_a_member():
    claims = {**MEMBER, "sub": "x", "iat": 1, "exp": 2**40, "iss": settings.MEMBER_TOKEN_ISSUER}
    token = jwt.encode(claims, "another-secret-of-at-least-32-bytes!!", algorithm="HS256")

    assert member_token_verify(token) is None


def test_an_unsigned_token_is_not_a_member():
    claims = {**MEMBER, "sub": "x", "iat": 1, "exp": 2**40, "iss": settings.MEMBER_TOKEN_ISSUER}
    token = jwt.encode(claims, None, algorithm="none")

    assert member_token_verify(token) is None


def test_a_token_from_another_issuer_is_not_a_member(settings):
    token = _issue()
    settings.MEMBER_TOKEN_ISSUER = "https://elsewhere.example"

    assert member_token_verify(token) is None


@pytest.mark.parametrize("value", [None, "", "member", "a.b.c", "e30.e30.", "🍪", "x" * 5000])
def test_a_malformed_cookie_is_not_a_member_and_never_an_error(value):
    assert member_token_verify(value) is None


def _docs_python_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    assert len(blocks) == 1, "docs/membership-check.md has one Python example"
    return blocks[0]


@pytest.fixture
def docs_member_claims(monkeypatch):
    """The docs' Python example, run as the news site would: secret and issuer from its environment."""
    monkeypatch.setenv("MEMBER_TOKEN_SECRET", settings.MEMBER_TOKEN_SECRET)
    monkeypatch.setenv("MEMBER_TOKEN_ISSUER", settings.MEMBER_TOKEN_ISSUER)
    namespace: dict = {}
    exec(compile(_docs_python_example(), str(DOCS), "exec"), namespace)
    return namespace["member_claims"]


def test_the_docs_python_example_reads_the_member_claims_of_a_platform_token(docs_member_claims):
    claims = docs_member_claims(_issue())

    assert claims["member"] is True
    assert claims["benefits"] == ["no_appeals"]


def test_the_docs_python_example_treats_a_tampered_token_as_not_a_member(docs_member_claims):
    assert docs_member_claims(_tampered(_issue(NOT_A_MEMBER), member=True)) is None
    assert docs_member_claims(None) is None


def test_production_start_without_the_member_token_secret_names_it():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STRIPE_", "MEMBER_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.org",
        STRIPE_SECRET_KEY="sk_test_x",
        STAGING_SITE="true",
        STRIPE_PUBLISHABLE_KEY="pk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: MEMBER_TOKEN_SECRET is not set (required when DJANGO_DEBUG is off)"
    ]
