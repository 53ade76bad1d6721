"""Receipts and annual statements as PDF files (fpdf2), with the same words as their pages.

DejaVu Sans is vendored in `portal/fonts/` (its licence beside it) because the PDF core fonts have
no Cyrillic and no currency signs such as ₴: a Ukrainian reader's receipt must print as it reads.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from portal.history import ReceiptView, StatementView

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"


def _document(*, title: str, site_name: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(site_name)
    pdf.set_creator(site_name)
    pdf.add_font(FAMILY, style="", fname=str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, style="B", fname=str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font(FAMILY, style="B", size=11)
    pdf.cell(text=site_name, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, style="B", size=18)
    pdf.multi_cell(w=0, text=title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    return pdf


def _pairs(pdf: FPDF, pairs: list[tuple[str, str]]) -> None:
    """Label and value, one per line, as the page's description list."""
    pdf.set_font(FAMILY, size=11)
    with pdf.table(
        col_widths=(55, 115),
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        line_height=7,
        text_align=("LEFT", "LEFT"),
    ) as table:
        for label, value in pairs:
            if value:
                row = table.row()
                row.cell(label)
                row.cell(value)


def _footer(pdf: FPDF, organisation: str) -> None:
    pdf.ln(8)
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(w=0, text=organisation, new_x="LMARGIN", new_y="NEXT")


def receipt_pdf(receipt: ReceiptView) -> bytes:
    pdf = _document(title=_("Receipt"), site_name=receipt.site_name)
    _pairs(
        pdf,
        [
            (_("Reference"), receipt.reference),
            (_("Date"), receipt.date),
            (_("Type"), receipt.kind),
            (_("From"), f"{receipt.name} <{receipt.email}>" if receipt.name else receipt.email),
            (_("Amount"), receipt.amount),
            (_("Of which processing fee you covered"), receipt.fee_covered),
            (_("Refunded"), receipt.refunded),
            (_("Amount kept"), receipt.net if receipt.refunded else ""),
            (_("Card"), receipt.card),
            (_("Campaign"), receipt.campaign),
        ],
    )
    pdf.ln(6)
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(w=0, text=_("Thank you for supporting independent journalism."))
    _footer(pdf, receipt.organisation)
    return bytes(pdf.output())


def statement_pdf(statement: StatementView) -> bytes:
    title = _("Annual statement %(year)s (%(currency)s)") % {
        "year": statement.year,
        "currency": statement.currency,
    }
    pdf = _document(title=title, site_name=statement.site_name)
    _pairs(
        pdf,
        [
            (_("For"), f"{statement.name} <{statement.email}>" if statement.name else statement.email),
            (_("Issued on"), statement.issued_on),
            (_("Contributions"), str(statement.count)),
            (_("Total given"), statement.total_net),
        ],
    )
    pdf.ln(6)
    pdf.set_font(FAMILY, size=9)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=(32, 40, 38, 30, 30),
        headings_style=bold,
        borders_layout="HORIZONTAL_LINES",
        line_height=6,
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
    ) as table:
        heading = table.row()
        for text in (_("Date"), _("Type"), _("Reference"), _("Refunded"), _("Amount kept")):
            heading.cell(text)
        for line in statement.lines:
            row = table.row()
            for text in (line.date, line.kind, line.reference, line.refunded, line.net):
                row.cell(text)
        total = table.row(style=bold)
        total.cell(_("Total"), colspan=4)
        total.cell(statement.total_net)
    _footer(pdf, statement.organisation)
    return bytes(pdf.output())
