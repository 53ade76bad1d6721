"""Campaign pages: the story, the goal's progress, and the support form whose gifts are earmarked."""

import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from checkout.views import support_page_context
from engagement.campaigns import campaign_is_open, campaign_progress
from engagement.models import Campaign
from reporting.periods import today


def campaign_page(request: HttpRequest, slug: str) -> HttpResponse:
    """/support/<slug>/: while open, its story and the support form; once ended, says so."""
    campaign = get_object_or_404(Campaign, slug=slug)
    day = today()
    if campaign.starts_on > day:
        raise Http404("This campaign has not started.")
    locale = translation.to_locale(translation.get_language() or "en")
    progress = campaign_progress(campaign, day=day)
    context = {
        "campaign": campaign,
        "paragraphs": [part.strip() for part in campaign.story.split("\n\n") if part.strip()],
        "progress": progress,
        "progress_label": progress.label(locale=locale) if progress else "",
    }
    if not campaign_is_open(campaign, day=day):
        return render(request, "engagement/campaign_ended.html", context)
    context.update(support_page_context(request, campaign=campaign.slug))
    return render(request, "engagement/campaign.html", context)


def campaign_image(request: HttpRequest, slug: str) -> FileResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not campaign.image:
        raise Http404("This campaign has no image.")
    content_type = mimetypes.guess_type(campaign.image.name or "")[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        raise Http404("This campaign has no image.")
    response = FileResponse(campaign.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sample_article(request: HttpRequest) -> HttpResponse:
    """Development only: a news article with the banner's one tag, to try the banner with `make run`."""
    if not settings.DEBUG:
        raise Http404("Only in development.")
    section = request.GET.get("section", "news")[:40]
    return render(request, "engagement/sample_article.html", {"section": section})
