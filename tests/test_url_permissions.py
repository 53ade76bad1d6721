"""Every URL of the site, walked as anonymous, a reader, a `reporting` user, a `finance` user and a superuser.

The routes come from the resolver (tests/url_walk.py); each answer is checked against the table below, and a
route without an entry fails, so a new page or endpoint cannot go out without saying who may see it.
An answer is a status, or "302 <prefix>" for a redirect whose Location starts so. Arguments name the reader's
own gift and membership, so portal pages answer 200 for the reader and 404 for everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tests.url_walk import ROLES, Route, all_routes, arguments_for, make_sample, make_users

pytestmark = pytest.mark.django_db

Answer = int | str | frozenset[int]
Answers = tuple[Answer, Answer, Answer, Answer, Answer]  # in the order of ROLES

LOGIN = "302 /accounts/login/"
ADMIN_LOGIN = "302 /admin/login/"
HOME = "302 /"
REAUTH = "302 /accounts/reauthenticate/"


def everyone(answer: Answer) -> Answers:
    return (answer,) * 5  # type: ignore[return-value]


PUBLIC = everyone(200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200)
READERS_OWN = (LOGIN, 200, 404, 404, 404)  # the sample is the reader's; anyone else's answer is 404
REPORTS = (LOGIN, 403, 200, 200, 200)
REPORTS_API = (403, 403, 200, 200, 200)
VISITORS_ONLY = (200, HOME, HOME, HOME, HOME)


@dataclass(frozen=True)
class Expect:
    get: Answers
    post: Answers | None = None  # also checked with an empty POST, for endpoints that only take POST


TABLE: dict[str, Expect] = {
    # Stripe and the news site
    "stripe-webhook": Expect(get=everyone(405), post=everyone(400)),
    "engagement:banner_decision": Expect(get=PUBLIC),
    "engagement:banner_events": Expect(get=everyone(405), post=everyone(400)),
    "engagement:campaign": Expect(get=PUBLIC),
    "engagement:campaign_image": Expect(get=everyone(404)),  # the sample campaign has no image
    "engagement:sample_article": Expect(get=everyone(404)),  # development only
    "offline-stripe-payment-methods": Expect(get=everyone(404)),  # development only
    "home": Expect(get=PUBLIC),
    "pattern:favicon.ico": Expect(get=everyone("301 /static/favicon")),
    "healthz": Expect(get=everyone(frozenset({200, 503}))),  # 503 names a missing broker
    "metrics": Expect(get=everyone(404)),  # 404 unless METRICS_TOKEN is set (tests/test_metrics.py)
    # The JSON API
    "api-1:openapi-json": Expect(get=PUBLIC),
    "api-1:openapi-view": Expect(get=PUBLIC),
    "api-1:api-root": Expect(get=everyone(404)),
    "api-1:checkout_options": Expect(get=everyone(400)),  # names the missing currency
    "api-1:checkout_fee": Expect(get=everyone(400)),
    "api-1:contribution_create": Expect(get=everyone(405), post=everyone(400)),
    "api-1:contribution_detail": Expect(get=(404, 200, 404, 404, 404)),
    "api-1:contribution_refresh": Expect(get=everyone(405), post=(404, 200, 404, 404, 404)),
    "api-1:contribution_upgrade": Expect(get=everyone(405), post=everyone(400)),
    "api-1:membership_status": Expect(get=(401, 200, 200, 200, 200)),
    "api-1:report_summary": Expect(get=REPORTS_API),
    "api-1:report_mrr": Expect(get=REPORTS_API),
    "api-1:report_cohorts": Expect(get=REPORTS_API),
    "api-1:report_ledger": Expect(get=REPORTS_API),
    "api-1:report_attribution": Expect(get=REPORTS_API),
    "api-1:report_reader_share": Expect(get=REPORTS_API),
    "api-1:newsletter_signups": Expect(get=(401, 403, 403, 200, 200)),  # personal data: finance only
    # Staff pages
    "payments_staff:events": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200)),  # payloads: view perm
    "payments_staff:event-detail": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200)),
    "payments_staff:event-rerun": Expect(
        get=(ADMIN_LOGIN, ADMIN_LOGIN, 405, 405, 405),
        post=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, "302 /staff/payments/events/"),
    ),
    "reporting:dashboard": Expect(get=REPORTS),
    "reporting:ledger": Expect(get=REPORTS),
    "reporting:ledger-csv": Expect(get=REPORTS),
    "reporting:events": Expect(get=REPORTS),
    "reporting:events-csv": Expect(get=REPORTS),
    "reporting:summary-csv": Expect(get=REPORTS),
    "reporting:mrr-csv": Expect(get=REPORTS),
    "reporting:cohorts-csv": Expect(get=REPORTS),
    "newsletters:signups_csv": Expect(get=(LOGIN, 403, 403, 200, 200)),
    # Reader pages
    "checkout:support": Expect(get=PUBLIC),
    "checkout:thank_you": Expect(get=(404, 200, 404, 404, 404)),
    "newsletters:page": Expect(get=PUBLIC),
    "newsletters:signup": Expect(get=everyone(405), post=everyone(400)),  # the form again, with its errors
    "newsletters:thanks": Expect(get=PUBLIC),
    "newsletters:confirm": Expect(get=everyone(400)),  # a tampered token
    "newsletters:unsubscribe": Expect(get=everyone(400)),
    "newsletters:preferences": Expect(get=everyone(400)),
    "membership:link": Expect(get=everyone(404)),
    "portal:overview": Expect(get=SIGNED_IN),
    "portal:change": Expect(get=READERS_OWN),
    "portal:card": Expect(get=(LOGIN, "302 /account/", 404, 404, 404)),  # no card on file to change
    "portal:cancel": Expect(get=READERS_OWN),
    "portal:cancel_offers": Expect(get=(LOGIN, 404, 404, 404, 404)),  # no such offer
    "portal:resume": Expect(get=(LOGIN, 405, 405, 405, 405), post=(LOGIN, "302 /account/", 404, 404, 404)),
    "portal:history": Expect(get=SIGNED_IN),
    "portal:receipt": Expect(get=READERS_OWN),
    "portal:receipt_pdf": Expect(get=READERS_OWN),
    "portal:statement": Expect(get=READERS_OWN),
    "portal:statement_pdf": Expect(get=READERS_OWN),
    "portal:preferences": Expect(get=SIGNED_IN),
    "portal:data": Expect(get=SIGNED_IN),
    "portal:export": Expect(get=SIGNED_IN),
    "portal:delete": Expect(get=(LOGIN, *(("302 /account/data/",) * 4))),  # the form is on the data page
    "set_language": Expect(get=everyone(HOME)),
    # Accounts (allauth)
    "account_login": Expect(get=VISITORS_ONLY),
    "account_signup": Expect(get=VISITORS_ONLY),
    "account_request_login_code": Expect(get=VISITORS_ONLY),
    "account_confirm_login_code": Expect(get=("302 /accounts/login/code/", HOME, HOME, HOME, HOME)),
    "account_logout": Expect(get=(HOME, 200, 200, 200, 200)),
    "account_inactive": Expect(get=PUBLIC),
    "account_reauthenticate": Expect(get=SIGNED_IN),
    "account_email": Expect(get=SIGNED_IN),
    "account_email_verification_sent": Expect(get=PUBLIC),
    "account_change_password": Expect(get=SIGNED_IN),
    "account_set_password": Expect(get=(LOGIN, *(("302 /accounts/password/change/",) * 4))),
    "account_reset_password": Expect(get=PUBLIC),
    "account_confirm_email": Expect(get=PUBLIC),  # says the link is invalid
    "account_reset_password_from_key": Expect(get=PUBLIC),
    "account_reset_password_from_key_done": Expect(get=PUBLIC),
    "account_reset_password_done": Expect(get=PUBLIC),
    "mfa_index": Expect(get=SIGNED_IN),
    "mfa_authenticate": Expect(get=(LOGIN, HOME, HOME, HOME, HOME)),  # only during a sign-in
    "mfa_reauthenticate": Expect(get=(LOGIN, REAUTH, REAUTH, REAUTH, REAUTH)),
    "mfa_activate_totp": Expect(get=(LOGIN, REAUTH, REAUTH, REAUTH, REAUTH)),
    "mfa_generate_recovery_codes": Expect(get=(LOGIN, REAUTH, REAUTH, REAUTH, REAUTH)),
    "mfa_deactivate_totp": Expect(get=(LOGIN, 404, 404, 404, 404)),  # no app set up
    "mfa_view_recovery_codes": Expect(get=(LOGIN, 404, 404, 404, 404)),
    "mfa_download_recovery_codes": Expect(get=(LOGIN, 404, 404, 404, 404)),
    # The admin's own pages
    "admin:index": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200)),
    "admin:login": Expect(get=(LOGIN, 403, "302 /admin/", "302 /admin/", "302 /admin/")),
    "admin:logout": Expect(get=("302 /admin/", "302 /admin/", 405, 405, 405)),
    "admin:password_change": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200)),
    "admin:password_change_done": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200)),
    "admin:autocomplete": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 403)),
    "admin:jsi18n": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200)),
    "admin:view_on_site": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 404, 404, 404)),
    "admin:app_list": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 404, 200, 200)),  # payments: finance sees it
    "admin:auth_user_password_change": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200)),
    "pattern:admin/(?P<url>.*)$": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 404, 404, 404)),
    "admin:payments_contribution_refund": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 404, 404)),
    "admin:membership_membership_act": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 405)),  # POST only
    "admin:membership_membership_amount": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200)),
    "admin:reporting_exchangerate_upload": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 403, 200, 200)),
    # Without the view permission a banner is not there (404); the sample banner has no variant to show.
    "admin:engagement_bannermessage_preview": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 404, 404, 200)),
    "admin:engagement_bannermessage_preview_json": Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, 404, 404, 404)),
}

NOBODY: frozenset[str] = frozenset()
SUPERUSER = frozenset({"superuser"})
FINANCE = frozenset({"finance", "superuser"})
STAFF = frozenset({"reporting", "finance", "superuser"})


@dataclass(frozen=True)
class AdminModel:
    """Who may do what with a model in the admin. Money rows and histories: nobody adds, changes, deletes."""

    view: frozenset[str]
    add: frozenset[str] = NOBODY
    change: frozenset[str] = NOBODY
    delete: frozenset[str] = NOBODY


def staff_managed(roles: frozenset[str]) -> AdminModel:
    return AdminModel(view=roles, add=roles, change=roles, delete=roles)


ADMIN_MODELS: dict[str, AdminModel] = {
    "auth_group": staff_managed(SUPERUSER),
    "account_emailaddress": staff_managed(SUPERUSER),
    "mfa_authenticator": staff_managed(SUPERUSER),
    "accounts_user": staff_managed(SUPERUSER),
    # Money and its history: read-only for everyone, superusers included.
    "payments_webhookevent": AdminModel(view=SUPERUSER),
    "payments_ledgerentry": AdminModel(view=FINANCE),
    "payments_contribution": AdminModel(view=FINANCE),
    "payments_contributor": AdminModel(view=FINANCE),
    "payments_refundrequest": AdminModel(view=FINANCE),
    "payments_payout": AdminModel(view=SUPERUSER),
    "payments_reconciliationreport": AdminModel(view=SUPERUSER),
    "payments_importrun": AdminModel(view=SUPERUSER),
    "membership_membership": AdminModel(view=SUPERUSER),
    "membership_membershipevent": AdminModel(view=SUPERUSER),
    "newsletters_newslettersignup": AdminModel(view=SUPERUSER),
    # What staff set up.
    "membership_tier": staff_managed(SUPERUSER),
    "membership_benefit": staff_managed(SUPERUSER),
    "checkout_amountpreset": staff_managed(SUPERUSER),
    "engagement_campaign": staff_managed(SUPERUSER),
    "engagement_bannermessage": staff_managed(SUPERUSER),
    "newsletters_newsletter": staff_managed(SUPERUSER),
    "reporting_staffapitoken": staff_managed(SUPERUSER),
    "reporting_exchangerate": AdminModel(view=STAFF, add=FINANCE, change=FINANCE, delete=FINANCE),
    "reporting_otherrevenue": AdminModel(view=STAFF, add=FINANCE, change=FINANCE, delete=FINANCE),
}
ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history")


def _admin_answers(may: frozenset[str], allowed: Answer, *, refused: Answer = 403) -> Answers:
    staff = tuple(allowed if role in may else refused for role in ROLES[2:])
    return (ADMIN_LOGIN, ADMIN_LOGIN, *staff)  # type: ignore[return-value]


def admin_expectation(model: str, view: str) -> Expect:
    """The sample ids name no row, so a permitted change or delete page sends staff back to the index."""
    rules = ADMIN_MODELS[model]
    if view == "changelist":
        return Expect(get=_admin_answers(rules.view | rules.change, 200))
    if view == "add":
        return Expect(get=_admin_answers(rules.add, 200))
    if view == "change":
        return Expect(get=_admin_answers(rules.view | rules.change, "302 /admin/"))
    if view == "delete":
        return Expect(get=_admin_answers(rules.delete, "302 /admin/"))
    return Expect(get=_admin_answers(STAFF, "302 /admin/"))  # history: a missing row redirects first


def expectation(route: Route) -> Expect | None:
    key = route.name if route.name else f"pattern:{route.pattern}"
    if key in TABLE:
        return TABLE[key]
    if key.startswith("pattern:admin/") and key.endswith("/<path:object_id>/"):
        return Expect(get=(ADMIN_LOGIN, ADMIN_LOGIN, "302 /admin/", "302 /admin/", "302 /admin/"))
    model, _, view = route.name.removeprefix("admin:").rpartition("_")
    if route.name.startswith("admin:") and model in ADMIN_MODELS and view in ADMIN_VIEWS:
        return Expect(get=admin_expectation(model, view).get)
    return None


def url_for(route: Route, sample) -> str:
    if not route.name:
        return "/" + route.pattern.replace("<path:object_id>", "999999").replace("(?P<url>.*)$", "nowhere/")
    return reverse(route.name, kwargs=arguments_for(route, sample))


def matches(response, answer: Answer) -> bool:
    if isinstance(answer, frozenset):
        return response.status_code in answer
    if isinstance(answer, int):
        return response.status_code == answer
    status, prefix = answer.split(" ", 1)
    return response.status_code == int(status) and response.get("Location", "").startswith(prefix)


def test_every_url_pattern_has_an_entry_in_the_table():
    missing = [f"{r.name or r.pattern}  ({r.pattern})" for r in all_routes() if expectation(r) is None]
    assert not missing, "say who may see these URLs in tests/test_url_permissions.py:\n" + "\n".join(missing)


def test_every_entry_in_the_table_is_a_url_of_the_site():
    names = {r.name if r.name else f"pattern:{r.pattern}" for r in all_routes()}
    admin_names = [r.name.removeprefix("admin:") for r in all_routes() if r.name.startswith("admin:")]
    models = {name.rpartition("_")[0] for name in admin_names}
    assert set(TABLE) - names == set()
    assert set(ADMIN_MODELS) - models == set()


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_table_says(role, localstripe):
    users = make_users()
    sample = make_sample(reader=users["reader"])
    client = Client()
    if users[role] is not None:
        client.force_login(users[role])
    position = ROLES.index(role)
    wrong = []
    for route in all_routes():
        expect = expectation(route)
        assert expect is not None, route
        url = url_for(route, sample)
        checks = [("GET", expect.get)] + ([("POST", expect.post)] if expect.post else [])
        for method, answers in checks:
            response = client.get(url) if method == "GET" else client.post(url)
            if not matches(response, answers[position]):
                got = f"{response.status_code} {response.get('Location', '')}".strip()
                wrong.append(f"{method} {url} ({route.name}): expected {answers[position]!r}, got {got}")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)
