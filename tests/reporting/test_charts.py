"""The dashboard's SVG charts keep their coordinates readable in every language."""

import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import translation

from tests.factories import UserFactory
from tests.reporting.book import at, gift

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-03-20 12:00Z", tick=False)
@pytest.mark.parametrize("language", ["en", "uk"])
def test_chart_coordinates_are_written_with_a_full_stop_whatever_the_language(client, language):
    gift(amount=2550, on=at("2026-03-05 10:00"))
    gift(amount=1275, on=at("2026-02-05 10:00"))
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="finance"))
    client.force_login(staff)

    with translation.override(language):
        html = client.get("/staff/", headers={"accept-language": language}).content.decode()

    coordinates = re.findall(r'<rect class="[^"]*" x="([^"]+)" y="([^"]+)" width="([^"]+)"', html)
    assert coordinates
    assert all(re.fullmatch(r"-?\d+\.\d", value) for triple in coordinates for value in triple)
