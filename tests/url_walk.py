"""Every URL pattern of the site, from the resolver, with sample arguments; and the five roles that walk them.

`tests/test_url_permissions.py` checks each answer against its table; a pattern without an entry fails,
so a new URL cannot be forgotten.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from engagement.models import BannerMessage, Campaign
from payments.models import Contribution, WebhookEvent
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory, UserFactory

ROLES = ("anonymous", "reader", "reporting", "finance", "superuser")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", as reverse() takes it
    pattern: str  # the full pattern, for messages

    @property
    def has_arguments(self) -> bool:
        return "<" in self.pattern or "(?P<" in self.pattern


def _walk(resolver: URLResolver, prefix: str, namespace: str | None) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            full_name = f"{namespace}:{name}" if namespace and name else name  # unnamed: "", keyed by pattern
            yield Route(name=full_name, pattern=prefix + str(entry.pattern))


def all_routes() -> list[Route]:
    return list(_walk(get_resolver(), "", None))


@dataclass
class Sample:
    """One of each thing a URL can name: the reader's own gift and membership, a campaign, a Stripe event."""

    reader_contribution: Contribution
    membership_id: int
    campaign_slug: str
    event_id: int
    banner_id: int


def make_users() -> dict[str, object]:
    def verified(user):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    reporting = verified(UserFactory(email="reporting@example.org", is_staff=True))
    reporting.groups.add(Group.objects.get(name="reporting"))
    finance = verified(UserFactory(email="finance@example.org", is_staff=True))
    finance.groups.add(Group.objects.get(name="finance"))
    return {
        "anonymous": None,
        "reader": verified(UserFactory(email="reader@example.org")),
        "reporting": reporting,
        "finance": finance,
        "superuser": verified(UserFactory(email="root@example.org", is_staff=True, is_superuser=True)),
    }


def make_sample(*, reader) -> Sample:
    contributor = ContributorFactory(email=reader.email, user=reader)
    contribution = ContributionFactory(
        contributor=contributor,
        user=reader,
        status=Contribution.Status.SUCCEEDED,
        succeeded_at=timezone.now(),
    )
    membership = MembershipFactory(contributor=contributor)
    campaign = Campaign.objects.create(
        slug="winter-appeal", name="Winter appeal", headline="Keep going", starts_on=datetime.date(2026, 1, 1)
    )
    event = WebhookEvent.objects.create(
        stripe_event_id="evt_walk", type="payment_intent.succeeded", payload="{}", object_id="pi_walk"
    )
    banner = BannerMessage.objects.create(name="Winter banner", slug="winter-banner")
    return Sample(
        reader_contribution=contribution,
        membership_id=membership.pk,
        campaign_slug=campaign.slug,
        event_id=event.pk,
        banner_id=banner.pk,
    )


def arguments_for(route: Route, sample: Sample) -> dict[str, object]:
    """Sample values for each argument a pattern takes: the reader's own rows, or a bad token."""
    values: dict[str, object] = {
        "slug": sample.campaign_slug,
        "public_id": sample.reader_contribution.public_id,
        "membership_id": sample.membership_id,
        "offer_id": 1,
        "token": "not-a-signed-token",
        "year": timezone.now().year,
        "currency": sample.reader_contribution.currency,
        "pk": sample.event_id,
        "key": "not-a-key",
        "uidb36": "1",
        "object_id": "999999",
        "app_label": "payments",
        "content_type_id": 1,
        "url": "x",
    }
    if route.name.startswith("admin:membership_membership_"):
        values["pk"] = sample.membership_id
    if route.name.startswith("admin:engagement_bannermessage_"):
        values["pk"] = sample.banner_id
    values.update(ROUTE_ARGUMENTS.get(route.name, {}))
    values["id"] = sample.reader_contribution.contributor.user_id
    return {name: values[name] for name in _argument_names(route.pattern)}


# Where a `pk` names something other than a Stripe event (the admin's own pages of a gift or a membership).
ROUTE_ARGUMENTS: dict[str, dict[str, object]] = {
    "admin:membership_membership_act": {"action": "cancel"},
    "admin:payments_contribution_refund": {"pk": 999999},
}


def _argument_names(pattern: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", pattern)
