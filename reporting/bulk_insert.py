"""Millions of rows fast: COPY on PostgreSQL (bulk_create elsewhere), with ids chosen up front so
rows can point at each other before they are written. For seeding only: it skips model signals.
"""

from collections.abc import Callable
from typing import Any

from django.db import connection, models
from django.utils import timezone

_REQUIRED = object()


def _default_of(field: models.Field) -> Callable[[], Any] | Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now
    if field.has_default():
        return field.get_default if callable(field.default) else field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return _REQUIRED


class BulkTable:
    """Rows of one model as dicts of attribute names; missing ones take the field's default."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.defaults = {field.attname: _default_of(field) for field in self.fields}
        self._plan = [
            (f.attname, self.defaults[f.attname], callable(self.defaults[f.attname])) for f in self.fields
        ]
        self.rows: list[dict] = []

    def reserve_ids(self, count: int) -> range:
        """`count` primary keys nobody else will get (the sequence moves past them on PostgreSQL)."""
        if count <= 0:
            return range(0)
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
                first = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
                )
            else:
                last = self.model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
                first = max(last + 1, self._next_local)
        self._next_local = first + count
        return range(first, first + count)

    _next_local = 1

    def add(self, **values: Any) -> None:
        self.rows.append(values)

    def extend(self, rows) -> None:
        self.rows.extend(rows)

    def _complete(self, row: dict) -> list:
        values = []
        for name, default, call in self._plan:
            value = row.get(name, _REQUIRED)
            if value is _REQUIRED:
                if default is _REQUIRED:
                    raise ValueError(f"{self.model.__name__}.{name} needs a value")
                value = default() if call else default
            values.append(value)
        return values

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        pk = self.model._meta.pk
        if isinstance(pk, models.AutoField | models.BigAutoField):
            missing = [row for row in rows if pk.attname not in row]
            for row, pk_value in zip(missing, self.reserve_ids(len(missing)), strict=True):
                row[pk.attname] = pk_value
        if connection.vendor == "postgresql":
            columns = ", ".join(connection.ops.quote_name(f.attname) for f in self.fields)
            table = connection.ops.quote_name(self.model._meta.db_table)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(self._complete(row))
        else:
            names = [f.attname for f in self.fields]
            objects = [self.model(**dict(zip(names, self._complete(row), strict=True))) for row in rows]
            self.model._default_manager.bulk_create(objects, batch_size=500)
        return len(rows)


def analyze(models_loaded) -> None:
    """Refresh PostgreSQL's statistics after a bulk load, so queries are planned for the rows now there;
    outside a transaction also VACUUM, so covering indexes answer without visiting the table.

    Until autovacuum comes round, the planner would take a table of a million rows for the few it
    held before the load and choose plans (nested loops) that take minutes instead of seconds, and
    an index-only scan would read every row's page to learn whether the row is visible.
    """
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models_loaded:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
