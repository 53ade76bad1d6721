"""The mailing tool's export: a formula-safe CSV and a JSON API, for finance staff or their tokens."""

import csv
import io

import pytest
from django.contrib.auth.models import Group

from reporting.access import api_token_issue
from tests.factories import UserFactory
from tests.newsletters.factories import SignupFactory

pytestmark = pytest.mark.django_db


def staff(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def finance_token():
    return api_token_issue(user=staff("finance"), name="mailing tool")[1]


def confirmed(**fields):
    return SignupFactory(status="confirmed", confirmed_at="2026-11-01T08:00Z", **fields)


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_lists_confirmed_sign_ups_with_their_consent_and_unsubscribe_link(client, ukraine_daily):
    confirmed(newsletter=ukraine_daily, email="olena@example.org")
    SignupFactory(newsletter=ukraine_daily, email="waiting@example.org")
    client.force_login(staff("finance"))

    rows = rows_of(client.get("/newsletters/staff/signups.csv"))

    assert [row["email"] for row in rows] == ["olena@example.org"]
    assert rows[0]["newsletter"] == "ukraine-daily"
    assert rows[0]["consent_text"] == "I agree to receive these newsletters."
    assert rows[0]["unsubscribe_url"].startswith("http://testserver/newsletters/unsubscribe/")


def test_a_value_written_as_a_formula_reaches_the_csv_as_text(client, ukraine_daily):
    confirmed(newsletter=ukraine_daily, email="olena@example.org", consent_text='=HYPERLINK("http://evil")')
    client.force_login(staff("finance"))

    rows = rows_of(client.get("/newsletters/staff/signups.csv"))

    assert rows[0]["consent_text"] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("group", ["reporting", None])
def test_the_csv_is_refused_to_staff_outside_finance(client, ukraine_daily, group):
    user = staff(group) if group else UserFactory()
    client.force_login(user)

    assert client.get("/newsletters/staff/signups.csv").status_code == 403


def test_the_csv_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/newsletters/staff/signups.csv")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_api_answers_a_finance_token_with_confirmed_sign_ups_only(client, finance_token, ukraine_daily):
    confirmed(newsletter=ukraine_daily, email="olena@example.org")
    SignupFactory(newsletter=ukraine_daily, email="waiting@example.org")

    body = client.get("/api/v1/newsletters/signups", HTTP_AUTHORIZATION=f"Bearer {finance_token}").json()

    assert [row["email"] for row in body["data"]] == ["olena@example.org"]
    assert body["next_cursor"] is None


def test_the_api_pages_with_a_cursor_and_sees_every_row_once(client, finance_token, ukraine_daily):
    emails = [confirmed(newsletter=ukraine_daily, email=f"r{n}@example.org").email for n in range(5)]
    seen, cursor = [], ""
    while True:
        body = client.get(
            f"/api/v1/newsletters/signups?limit=2&cursor={cursor}",
            HTTP_AUTHORIZATION=f"Bearer {finance_token}",
        ).json()
        seen += [row["email"] for row in body["data"]]
        cursor = body["next_cursor"]
        if not cursor:
            break

    assert seen == emails


def test_the_api_refuses_a_revoked_or_unknown_token(client):
    response = client.get("/api/v1/newsletters/signups", HTTP_AUTHORIZATION="Bearer rrk_nope")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_the_api_refuses_a_reporting_token(client):
    token = api_token_issue(user=staff("reporting"), name="dashboards")[1]

    response = client.get("/api/v1/newsletters/signups", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 403


def test_the_api_names_a_wrong_status_field(client, finance_token):
    response = client.get(
        "/api/v1/newsletters/signups?status=maybe", HTTP_AUTHORIZATION=f"Bearer {finance_token}"
    )

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "status"
