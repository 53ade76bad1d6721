"""The Ukrainian catalogue is complete: every string marked in the source is in it, translated, not
fuzzy, with the same placeholders, and the committed .mo is what the .po compiles to."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "uk" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]+\)[sd]|%[sd]|\{\{ ?[a-zA-Z_.]+ ?\}\}|\{[a-z_]+\}|</?[a-z]+[^>]*>")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_entry_is_translated(catalogue):
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []


def test_no_entry_is_fuzzy(catalogue):
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy


def test_translations_keep_every_placeholder(catalogue):
    def same(msgid: str, msgstr: str) -> bool:
        return sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr))

    wrong = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            # Ukrainian's form 0 also covers 21, 31…: it keeps the number English's singular drops.
            plural = sorted(set(PLACEHOLDER.findall(entry.msgid_plural)))
            wrong += [
                entry.msgid
                for text in entry.msgstr_plural.values()
                if sorted(set(PLACEHOLDER.findall(text))) != plural
            ]
        elif not same(entry.msgid, entry.msgstr):
            wrong.append(entry.msgid)
    assert wrong == []


def test_the_committed_mo_is_the_compiled_po(catalogue):
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr or dict(entry.msgstr_plural)
        for entry in polib.mofile(str(MO))
    }
    expected = {
        (entry.msgctxt, entry.msgid): entry.msgstr or dict(entry.msgstr_plural)
        for entry in catalogue.translated_entries()
    }
    compiled.pop((None, ""), None)  # the header

    assert compiled == expected, "run `make messages` after translating (it compiles the .mo)"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext (Debian: gettext)")
def test_every_string_marked_in_the_source_is_in_the_catalogue(tmp_path):
    """makemessages on a copy of the source: nothing new may appear (a new string must be translated)."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        if name.endswith((".py", ".html", ".txt")) and not name.startswith(("tests/", "bench/")):
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    (tmp_path / "locale" / "uk" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy2(PO, tmp_path / "locale" / "uk" / "LC_MESSAGES" / "django.po")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "uk", "--add-location=file", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_DEBUG": "true", "PYTHONPATH": str(tmp_path)},
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "uk" / "LC_MESSAGES" / "django.po"))

    assert [entry.msgid for entry in fresh.untranslated_entries() + fresh.fuzzy_entries()] == []
