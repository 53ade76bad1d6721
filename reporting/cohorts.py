"""Retention cohorts: members by the month they first became members, and the share still members
1...N months later (at the end of each later month). Two queries whatever the data.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from reporting.models import CohortSize, DailyCohortMovement
from reporting.periods import add_months


@dataclass
class Cohort:
    month: date
    members: int
    retained: list[int | None]  # members still counted at the end of month +1, +2, ... (None: not yet)

    def shares(self) -> list[float | None]:
        return [None if n is None or not self.members else n / self.members for n in self.retained]

    def as_dict(self) -> dict:
        return {
            "cohort": self.month.strftime("%Y-%m"),
            "members": self.members,
            "retained": self.retained,
            "retained_share": [None if s is None else round(s, 4) for s in self.shares()],
        }


def cohort_table(*, last_month: date, months: int, horizon: int = 12) -> list[Cohort]:
    """The cohorts of the `months` months up to `last_month`, each followed for `horizon` months."""
    first = add_months(last_month, -(months - 1))
    last = add_months(last_month, 0)
    sizes = dict(
        CohortSize.objects.filter(cohort_month__range=(first, last)).values_list("cohort_month", "members")
    )
    moved: dict[date, dict[date, int]] = defaultdict(dict)
    for cohort, month, members in (
        DailyCohortMovement.objects.filter(cohort_month__range=(first, last))
        .annotate(month=TruncMonth("day"))
        .values_list("cohort_month", "month")
        .annotate(n=Sum("members"))
    ):
        moved[cohort][month] = members
    cohorts = []
    for index in range(months):
        month = add_months(first, index)
        running = moved[month].get(month, 0)
        retained: list[int | None] = []
        for offset in range(1, horizon + 1):
            later = add_months(month, offset)
            if later > last:
                retained.append(None)
                continue
            running += moved[month].get(later, 0)
            retained.append(running)
        cohorts.append(Cohort(month=month, members=sizes.get(month, 0), retained=retained))
    return cohorts
