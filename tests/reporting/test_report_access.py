"""Who sees reports: anonymous, a reader, staff without a group, `reporting`, `finance`, superusers."""

import pytest
from django.contrib.auth.models import Group

from reporting.access import api_token_issue
from reporting.models import StaffApiToken
from tests.factories import UserFactory
from tests.reporting.book import at, event, gift, member

pytestmark = pytest.mark.django_db

RANGE = "start=2026-03-01&end=2026-03-31"
PAGES = ["/staff/", f"/staff/?{RANGE}", f"/staff/reports/ledger?{RANGE}", f"/staff/reports/events?{RANGE}"]
CSVS = [
    f"/staff/reports/summary.csv?{RANGE}",
    f"/staff/reports/mrr.csv?{RANGE}",
    f"/staff/reports/cohorts.csv?{RANGE}",
    f"/staff/reports/ledger.csv?{RANGE}",
    f"/staff/reports/events.csv?{RANGE}",
]
API = [
    f"/api/v1/reports/summary?{RANGE}",
    "/api/v1/reports/mrr?months=12",
    "/api/v1/reports/cohorts?months=12",
    f"/api/v1/reports/ledger?{RANGE}",
]
DONOR_NAME, DONOR_EMAIL = "Olena Kovalenko", "olena.kovalenko@example.org"


def staff_in(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def scenario():
    contribution = gift(amount=2500, on=at("2026-03-05 10:00"))
    contribution.contributor.name, contribution.contributor.email = DONOR_NAME, DONOR_EMAIL
    contribution.contributor.save()
    membership = member(amount=1000, contributor=contribution.contributor)
    event(membership, "started", on=at("2026-03-06 10:00"))


def status_of(client, url: str) -> int:
    """The answer's status, its streamed body read to the end (a CSV's database cursor closes)."""
    response = client.get(url)
    body_of(response)
    return response.status_code


def body_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode()


@pytest.mark.parametrize("url", PAGES + CSVS)
def test_anonymous_visitors_get_the_login_page_from_report_pages(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", API)
def test_anonymous_visitors_get_403_from_the_report_api(client, url):
    response = client.get(url)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("url", PAGES + CSVS + API)
@pytest.mark.parametrize("who", ["reader", "staff without a report group"])
def test_readers_and_staff_without_a_report_group_get_403(client, url, who):
    client.force_login(UserFactory(is_staff=(who != "reader")))

    assert status_of(client, url) == 403


@pytest.mark.parametrize("url", PAGES + CSVS + API)
@pytest.mark.parametrize("group", ["reporting", "finance"])
def test_both_report_groups_see_every_report(client, scenario, url, group):
    client.force_login(staff_in(group))

    assert status_of(client, url) == 200


@pytest.mark.parametrize("url", PAGES + CSVS + API)
def test_superusers_see_every_report(client, scenario, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert status_of(client, url) == 200


@pytest.mark.parametrize("url", PAGES + CSVS + API)
def test_the_reporting_group_never_sees_a_donors_name_or_email(client, scenario, url):
    client.force_login(staff_in("reporting"))

    body = body_of(client.get(url))

    assert DONOR_NAME not in body
    assert DONOR_EMAIL not in body
    assert "donor_email" not in body


@pytest.mark.parametrize(
    "url",
    [
        f"/staff/reports/ledger?{RANGE}",
        f"/staff/reports/events?{RANGE}",
        f"/staff/reports/ledger.csv?{RANGE}",
        f"/staff/reports/events.csv?{RANGE}",
        f"/api/v1/reports/ledger?{RANGE}",
    ],
)
def test_the_finance_group_sees_who_gave_in_the_drill_down(client, scenario, url):
    client.force_login(staff_in("finance"))

    body = body_of(client.get(url))

    assert DONOR_NAME in body
    assert DONOR_EMAIL in body


def test_a_staff_token_reads_the_api_with_its_owners_groups(client, scenario):
    _token, raw = api_token_issue(user=staff_in("reporting"), name="spreadsheet")

    response = client.get(f"/api/v1/reports/ledger?{RANGE}", headers={"authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert "donor_email" not in response.json()["rows"][0]


def test_a_finance_token_reads_donors_in_the_drill_down(client, scenario):
    _token, raw = api_token_issue(user=staff_in("finance"), name="finance sheet")

    response = client.get(f"/api/v1/reports/ledger?{RANGE}", headers={"authorization": f"Bearer {raw}"})

    assert response.json()["rows"][0]["donor_email"] == DONOR_EMAIL


def test_a_token_is_stored_only_as_its_hash():
    token, raw = api_token_issue(user=staff_in("finance"), name="script")

    stored = StaffApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix)
    assert raw.startswith(stored.prefix)
    assert not StaffApiToken.objects.filter(key_hash=raw).exists()


def test_a_revoked_token_is_refused_with_401(client):
    token, raw = api_token_issue(user=staff_in("finance"), name="script")
    StaffApiToken.objects.filter(pk=token.pk).update(revoked_at=at("2026-03-01 10:00"))

    response = client.get("/api/v1/reports/mrr", headers={"authorization": f"Bearer {raw}"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_an_unknown_token_is_refused_with_401(client):
    response = client.get("/api/v1/reports/mrr", headers={"authorization": "Bearer rrk_not-a-token"})

    assert response.status_code == 401


def test_a_token_of_staff_without_a_report_group_gets_403(client):
    _token, raw = api_token_issue(user=UserFactory(is_staff=True), name="script")

    response = client.get("/api/v1/reports/mrr", headers={"authorization": f"Bearer {raw}"})

    assert response.status_code == 403


def test_a_token_made_in_the_admin_is_shown_once_and_works(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    owner = staff_in("reporting")
    client.force_login(admin_user)

    response = client.post(
        "/admin/reporting/staffapitoken/add/", {"user": owner.pk, "name": "sheet"}, follow=True
    )

    shown = next(str(m) for m in response.context["messages"] if "rrk_" in str(m))
    raw = shown[shown.index("rrk_") :].strip()
    client.logout()
    answer = client.get("/api/v1/reports/mrr", headers={"authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    assert StaffApiToken.objects.get().user == owner
