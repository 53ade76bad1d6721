"""The reader's pages: sign up (from any of the forms), confirm, unsubscribe (also RFC 8058's one-click
POST from a mail client) and the preference page. Thin: they parse, call one service, and answer."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from checkout.ratelimit import client_ip, hit, parse_rate
from newsletters.forms import PreferencesForm, SignupForm, consent_sentence
from newsletters.links import (
    LinkExpiredError,
    LinkInvalidError,
    email_from_preferences_token,
    public_id_from_unsubscribe_token,
    public_ids_from_confirm_token,
)
from newsletters.models import NewsletterSignup
from newsletters.selectors import open_newsletters, signups_of
from newsletters.services import (
    normalised_email,
    preferences_update,
    signup_confirm,
    signup_request,
    signup_unsubscribe,
)


def _thanks_message() -> str:
    return _("Thank you for signing up. We've sent you a confirmation email: open its link to start.")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def signup_page(request: HttpRequest) -> HttpResponse:
    newsletters = open_newsletters()
    form = SignupForm(newsletters=newsletters, initial={"source": "page"})
    return render(request, "newsletters/signup.html", {"form": form, "newsletters": newsletters})


def _refused(request: HttpRequest, form: SignupForm, *, status: int) -> HttpResponse:
    field, messages = next(iter(form.errors.items()))
    if _wants_json(request):
        error = {"code": "invalid", "message": messages[0], "field": "" if field == "__all__" else field}
        return JsonResponse({"error": error}, status=status)
    context = {"form": form, "newsletters": list(form.newsletters.values())}
    return render(request, "newsletters/signup.html", context, status=status)


def _too_many(request: HttpRequest, *, newsletters: list) -> HttpResponse:
    message = _("Too many sign-ups from your network. Please try again in a few minutes.")
    if _wants_json(request):
        return JsonResponse({"error": {"code": "rate_limited", "message": message, "field": ""}}, status=429)
    context = {"form": SignupForm(newsletters=newsletters), "newsletters": newsletters, "page_error": message}
    return render(request, "newsletters/signup.html", context, status=429)


@csrf_exempt  # the news site's embedded form posts here from another origin; double opt-in protects it
@require_POST
def signup(request: HttpRequest) -> HttpResponse:
    """Every form posts here. The answer is the same for a new, a waiting and a signed-up address."""
    newsletters = open_newsletters()
    form = SignupForm(request.POST, newsletters=newsletters)
    retry_after = hit(
        scope="newsletter-signup-ip",
        value=client_ip(request),
        rate=parse_rate(settings.NEWSLETTER_SIGNUP_IP_RATE),
    )
    if retry_after is not None:
        response = _too_many(request, newsletters=newsletters)
        response["Retry-After"] = str(retry_after)
        return response
    if not form.is_valid():
        return _refused(request, form, status=400)
    chosen = form.chosen(defaults=[newsletter for newsletter in newsletters if newsletter.is_default])
    if not chosen:
        form.add_error("newsletter", _("Choose at least one newsletter."))
        return _refused(request, form, status=400)
    email = normalised_email(form.cleaned_data["email"])
    # Past the per-address limit nobody is emailed again, but the answer does not change.
    over_address_limit = hit(
        scope="newsletter-signup-email", value=email, rate=parse_rate(settings.NEWSLETTER_SIGNUP_EMAIL_RATE)
    )
    if not form.is_bot() and over_address_limit is None:
        signup_request(
            email=email,
            newsletters=chosen,
            language=_language(),
            source=form.cleaned_data["source"],
            consent_text=consent_sentence(),
        )
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": _thanks_message()})
    return redirect("newsletters:thanks")


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletters/thanks.html", {"message": _thanks_message()})


def _link_problem(request: HttpRequest, *, expired: bool) -> HttpResponse:
    context = {"expired": expired, "signup_url": reverse("newsletters:page")}
    return render(request, "newsletters/link_problem.html", context, status=410 if expired else 400)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners open links, and must not sign anyone up); the button POSTs."""
    try:
        public_ids = public_ids_from_confirm_token(token)
    except LinkExpiredError:
        return _link_problem(request, expired=True)
    except LinkInvalidError:
        return _link_problem(request, expired=False)
    if request.method == "GET":
        return render(request, "newsletters/confirm.html", {})
    signups = signup_confirm(public_ids=public_ids)
    confirmed = [signup for signup in signups if signup.status == NewsletterSignup.Status.CONFIRMED]
    return render(request, "newsletters/confirmed.html", {"signups": confirmed})


@csrf_exempt  # RFC 8058: the mail client POSTs with no cookie and no token; the signed link is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        public_id = public_id_from_unsubscribe_token(token)
    except LinkInvalidError:
        return _link_problem(request, expired=False)
    signup = NewsletterSignup.objects.select_related("newsletter").filter(public_id=public_id).first()
    if request.method == "GET":
        return render(request, "newsletters/unsubscribe.html", {"signup": signup})
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    signup = signup_unsubscribe(public_id=public_id, how="one_click" if one_click else "link")
    if one_click:
        return HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8")
    return render(request, "newsletters/unsubscribed.html", {"signup": signup})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = email_from_preferences_token(token)
    except LinkInvalidError:
        return _link_problem(request, expired=False)
    newsletters = open_newsletters()
    if request.method == "POST":
        form = PreferencesForm(request.POST, newsletters=newsletters)
        if form.is_valid():
            preferences_update(
                email=email, wanted=form.wanted(), language=_language(), consent_text=consent_sentence()
            )
            return redirect(reverse("newsletters:preferences", args=[token]) + "?saved=1")
    else:
        current = signups_of(email=email)
        chosen = [
            n.slug
            for n in newsletters
            if n.pk in current and current[n.pk].status == NewsletterSignup.Status.CONFIRMED
        ]
        form = PreferencesForm(newsletters=newsletters, initial={"newsletter": chosen})
    context = {"form": form, "email": email, "saved": request.GET.get("saved") == "1"}
    return render(request, "newsletters/preferences.html", context)
