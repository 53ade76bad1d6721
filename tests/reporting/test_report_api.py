"""The reports' JSON API and CSVs: figures, errors naming the field, query counts, safe CSV cells."""

import csv
import io
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.csv_export import safe_cell
from reporting.models import ExchangeRate
from tests.factories import UserFactory
from tests.reporting.book import at, event, gift, member, refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="finance"))
    client.force_login(user)
    return client


def test_the_summary_gives_integer_minor_units_per_currency_and_converted(finance_client):
    gift(amount=2500, fee=103, on=at("2026-03-05 10:00"))
    gift(amount=3000, currency="JPY", settled=(1995, "USD"), on=at("2026-03-06 10:00"))
    refund(gift(amount=1000, on=at("2026-02-05 10:00")), amount=1000, on=at("2026-03-07 10:00"))

    body = finance_client.get("/api/v1/reports/summary?start=2026-03-01&end=2026-03-31&currency=usd").json()

    assert body["currency"] == "USD"
    assert body["figures"]["gross_minor"] == 2500 + 1995
    assert body["figures"]["refunds_minor"] == 1000
    assert body["figures"]["net_minor"] == 2500 + 1995 - 1000 - 103
    assert {row["currency"]: row["gross_minor"] for row in body["by_currency"]} == {"JPY": 3000, "USD": 2500}
    assert body["previous_period"] == {"start": "2026-01-29", "end": "2026-02-28"}
    assert body["previous"]["gross_minor"] == 1000
    assert body["change"]["gross_minor"] == {"difference": 3495, "ratio": 3.495}


def test_the_summary_counts_mrr_members_and_arpm_at_the_end_of_the_range(finance_client):
    event(member(amount=1000), "started", on=at("2026-03-05 10:00"))
    event(member(amount=2000), "started", on=at("2026-03-06 10:00"))

    figures = finance_client.get("/api/v1/reports/summary?start=2026-03-01&end=2026-03-31").json()["figures"]

    assert (figures["mrr_minor"], figures["arr_minor"], figures["members"], figures["arpm_minor"]) == (
        3000,
        36000,
        2,
        1500,
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-13-01&end=2026-03-31", "start"),
        ("start=2026-03-01", "end"),
        ("start=2026-03-31&end=2026-03-01", "end"),
        ("preset=fortnight", "range"),
        ("preset=this_month&currency=dollars", "currency"),
    ],
)
def test_a_bad_range_or_currency_is_a_400_naming_the_field(finance_client, query, field):
    response = finance_client.get(f"/api/v1/reports/summary?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize("months", [0, 121])
def test_a_series_of_no_months_or_too_many_is_refused(finance_client, months):
    response = finance_client.get(f"/api/v1/reports/mrr?months={months}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "months"


def test_the_mrr_series_has_the_months_asked_for_each_starting_where_the_last_ended(finance_client):
    event(member(amount=1000), "started", on=at("2026-01-05 10:00"))

    months = finance_client.get("/api/v1/reports/mrr?months=6").json()["months"]

    assert len(months) == 6
    assert all(
        later["mrr_start_minor"] == earlier["mrr_end_minor"] for earlier, later in itertools.pairwise(months)
    )


def test_the_reports_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/reports/summary", "/api/v1/reports/mrr", "/api/v1/reports/cohorts"} <= set(paths)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _history(days: int) -> None:
    start = at("2025-01-01 10:00")
    for day in range(days):
        on = start + timedelta(days=day * 3)
        gift(amount=1000 + day, currency=["USD", "EUR", "JPY"][day % 3], on=on, campaign=f"c{day % 4}")
        event(member(amount=500 + day), "started", on=on)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/summary?start=2025-01-01&end=2026-03-31",
        "/api/v1/reports/mrr?months=24",
        "/api/v1/reports/cohorts?months=24",
        "/staff/?start=2025-01-01&end=2026-03-31",
    ],
)
def test_the_number_of_queries_grows_neither_with_the_data_nor_with_the_range(finance_client, url):
    _history(3)
    _queries(finance_client, url)  # warm: the session's first request reads what later ones keep
    few = _queries(finance_client, url)
    _history(60)
    many = _queries(finance_client, url)
    short = _queries(finance_client, url.replace("2025-01-01", "2026-03-01").replace("24", "2"))

    assert few == many == short


def test_a_cell_that_would_run_as_a_formula_is_prefixed_and_numbers_stay_numbers():
    assert [safe_cell(v) for v in ("=1+1", "+31", "-2", "@SUM(A1)", "\tx", "Olena", -2000, None)] == [
        "'=1+1",
        "'+31",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "Olena",
        -2000,
        "",
    ]


def test_a_donor_name_written_as_a_formula_reaches_the_csv_as_text(finance_client):
    contribution = gift(amount=2500, on=at("2026-03-05 10:00"))
    contribution.contributor.name = '=HYPERLINK("http://evil.example","click")'
    contribution.contributor.save()

    response = finance_client.get("/staff/reports/ledger.csv?start=2026-03-01&end=2026-03-31")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[0]["donor_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[0]["amount_minor"] == "2500"


def test_a_hostile_name_is_escaped_on_the_drill_down_page(finance_client):
    contribution = gift(amount=2500, on=at("2026-03-05 10:00"))
    contribution.contributor.name = '"><img src=x onerror=alert(1)>'
    contribution.contributor.save()

    body = finance_client.get("/staff/reports/ledger?start=2026-03-01&end=2026-03-31").content.decode()

    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_the_drill_down_filters_by_kind_and_pages(finance_client):
    for day in range(1, 4):
        gift(amount=1000, fee=50, on=at(f"2026-03-0{day} 10:00"))

    fees = finance_client.get("/api/v1/reports/ledger?start=2026-03-01&end=2026-03-31&kind=fee").json()
    refused = finance_client.get("/api/v1/reports/ledger?start=2026-03-01&end=2026-03-31&kind=bonus")
    beyond = finance_client.get("/api/v1/reports/ledger?start=2026-03-01&end=2026-03-31&page=2")

    assert (fees["count"], {row["kind"] for row in fees["rows"]}) == (3, {"fee"})
    assert (refused.status_code, refused.json()["error"]["field"]) == (400, "kind")
    assert (beyond.status_code, beyond.json()["error"]["field"]) == (400, "page")


def _upload(client, text: str):
    upload = SimpleUploadedFile("rates.csv", text.encode(), content_type="text/csv")
    return client.post("/admin/reporting/exchangerate/upload/", {"file": upload})


def test_staff_upload_exchange_rates_as_csv(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = _upload(
        client, "day,currency,quote_currency,rate\n2026-03-01,EUR,USD,1.0825\n2026-03-01,uah,USD,0.0241\n"
    )

    assert response.status_code == 302
    assert sorted(ExchangeRate.objects.values_list("currency", "rate")) == [
        ("EUR", Decimal("1.0825")),
        ("UAH", Decimal("0.0241")),
    ]


def test_an_upload_with_one_bad_line_stores_nothing_and_names_the_line(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = _upload(
        client, "day,currency,quote_currency,rate\n2026-03-01,EUR,USD,1.08\n2026-03-02,EUR,USD,-1\n"
    )

    assert response.status_code == 200
    assert "Line 3" in response.content.decode()
    assert not ExchangeRate.objects.exists()
