"""What each figure means, shown beside it on the dashboard and in docs/reporting.md."""

from django.utils.translation import gettext_lazy as _

DEFINITIONS = {
    "gross_minor": (
        _("Gross"),
        _("Every payment Stripe confirmed in the range: one-off gifts and membership payments."),
    ),
    "refunds_minor": (
        _("Refunds"),
        _("Money returned to readers in the range, counted on the day of the refund, not of the gift."),
    ),
    "disputes_minor": (
        _("Disputes"),
        _("Money Stripe withdrew for disputes opened in the range, less disputes won back in it."),
    ),
    "fees_minor": (_("Stripe fees"), _("Stripe's processing and dispute fees on the range's payments.")),
    "net_minor": (_("Net"), _("Gross less refunds, disputes and Stripe fees.")),
    "one_off_minor": (_("One-off"), _("Gross from one-off gifts.")),
    "recurring_minor": (_("Recurring"), _("Gross from membership payments, monthly and annual.")),
    "one_off_gifts": (_("One-off gifts"), _("How many one-off gifts were paid in the range.")),
    "average_one_off_minor": (
        _("Average one-off gift"),
        _("One-off gross / one-off gifts, to the nearest minor unit."),
    ),
    "median_one_off_minor": (
        _("Median one-off gift"),
        _(
            "The middle one-off gift by amount (the lower middle one for an even count); gifts in other "
            "currencies at the rate of the range's last day."
        ),
    ),
    "mrr_minor": (
        _("MRR"),
        _(
            "Monthly recurring revenue at the end of the range: the monthly-equivalent amount "
            "(annual / 12) of every membership that is active, past due within its grace period, "
            "or canceling at period end."
        ),
    ),
    "arr_minor": (_("ARR"), _("12 x MRR.")),
    "members": (
        _("Members"),
        _(
            "People with at least one membership counted in MRR at the end of the range "
            "(two memberships: one member)."
        ),
    ),
    "arpm_minor": (_("ARPM"), _("Average revenue per member: MRR / members.")),
}

MOVEMENT_DEFINITIONS = {
    "new": _("memberships started by someone who was never a member"),
    "expansion": _("amounts raised, and pauses ended"),
    "contraction": _("amounts lowered, and pauses started (a change of amount is never churn)"),
    "churned": _("memberships that ended (canceled at period end, or grace period over)"),
    "reactivated": _("memberships started by someone who had been a member before"),
}

RATE_DEFINITIONS = {
    "attribution": _(
        "Gross payments and gifts in the range by what brought the reader; new members are memberships "
        "started in the range, retained those still members 90 days after starting (of those started "
        "at least 90 days ago)."
    ),
    "reader_share": _(
        "Reader revenue (gross less refunds and disputes) / (reader revenue + the other revenue staff "
        "enter per month in the admin: grants, advertising, events...)."
    ),
    "member_churn": _(
        "Member churn rate: members whose last membership ended in the month / members at its start."
    ),
    "revenue_churn": _("Revenue churn: MRR of memberships that ended in the month / MRR at its start."),
    "saves": _(
        "Saves: cancellations withdrawn before the period ended, and save offers taken instead of cancelling "
        "(a pause, a lower amount, annual)."
    ),
    "ltv": _(
        "Its formula: ARPM / the mean monthly member churn rate of the months shown that had members at "
        "their start."
    ),
    "cohorts": _(
        "Members grouped by the month they first became members; each later column is the share of them "
        "who were members at the end of that month."
    ),
}
