"""Giving history, receipts and annual statements: each a page and a PDF, the reader's own only."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal import documents, history


def _pdf(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
def giving_history(request: HttpRequest) -> HttpResponse:
    language = request.LANGUAGE_CODE
    context = {
        "rows": history.history_rows(user=request.user, language=language),  # type: ignore[arg-type]
        "statements": history.statement_links(user=request.user, language=language),  # type: ignore[arg-type]
        "section": "history",
    }
    return render(request, "portal/history.html", context)


@login_required
@never_cache
def receipt(request: HttpRequest, public_id: str) -> HttpResponse:
    contribution = history.paid_contribution_or_404(user=request.user, public_id=public_id)  # type: ignore[arg-type]
    context = {
        "receipt": history.receipt_view(contribution=contribution, language=request.LANGUAGE_CODE),
        "section": "history",
    }
    return render(request, "portal/receipt.html", context)


@login_required
@never_cache
def receipt_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    contribution = history.paid_contribution_or_404(user=request.user, public_id=public_id)  # type: ignore[arg-type]
    view = history.receipt_view(contribution=contribution, language=request.LANGUAGE_CODE)
    return _pdf(documents.receipt_pdf(view), filename=f"receipt-{view.reference[:8]}.pdf")


@login_required
@never_cache
def statement(request: HttpRequest, year: int, currency: str) -> HttpResponse:
    view = history.statement_view(
        user=request.user,  # type: ignore[arg-type]
        year=year,
        currency=currency,
        language=request.LANGUAGE_CODE,
    )
    return render(request, "portal/statement.html", {"statement": view, "section": "history"})


@login_required
@never_cache
def statement_pdf(request: HttpRequest, year: int, currency: str) -> HttpResponse:
    view = history.statement_view(
        user=request.user,  # type: ignore[arg-type]
        year=year,
        currency=currency,
        language=request.LANGUAGE_CODE,
    )
    return _pdf(documents.statement_pdf(view), filename=f"statement-{view.year}-{view.currency}.pdf")
