"""The portal's front page: each of the reader's memberships, and where to go next."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal import presenters, selectors


@login_required
@never_cache
def overview(request: HttpRequest) -> HttpResponse:
    memberships = [
        presenters.membership_summary(membership, language=request.LANGUAGE_CODE)
        for membership in selectors.reader_memberships(user=request.user)  # type: ignore[arg-type]
    ]
    return render(request, "portal/overview.html", {"memberships": memberships, "section": "overview"})
