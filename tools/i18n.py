"""Translation catalogs: `python tools/i18n.py update|compile|check`.

update  — extract strings from app/ and templates/ and merge them into the
          zh_CN and en catalogs (new strings arrive untranslated).
compile — build the .mo files the app reads (done by the README commands).
check   — fail when a zh_CN string is missing, fuzzy, or the catalogs are
          out of date with the code (the test suite runs this too).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
# Babel spells zh_CN as zh_Hans_CN (CLDR likely subtags), and looks catalogs up by that name.
LOCALES = ("zh_Hans_CN", "en")


def _babel(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stdout + done.stderr)


def extract(target: Path) -> None:
    # Babel's default --ignore-dirs (".* ._") also skips folders that start
    # with "_", such as templates/_macros/: only hidden folders are skipped here.
    _babel("extract", "-F", "babel.cfg", "--ignore-dirs", ".*", "-k", "_l", "-k", "lazy_gettext", "--no-location",
           "--sort-output", "--omit-header", "--project", "linli", "-o", str(target), ".")


def update() -> None:
    extract(POT)
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _babel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale,
                   "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            _babel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale)
        _clear_header_fuzzy(po)


def _clear_header_fuzzy(po: Path) -> None:
    """A fuzzy header makes `compile` skip the whole catalog; ours are reviewed."""
    from babel.messages.pofile import read_po, write_po

    with po.open("rb") as f:
        catalog = read_po(f)
    if catalog.fuzzy:
        catalog.fuzzy = False
        with po.open("wb") as f:
            write_po(f, catalog, width=100)


def compile_catalogs() -> None:
    _babel("compile", "-d", str(TRANSLATIONS), "--statistics")


def problems() -> list[str]:
    from babel.messages.pofile import read_po

    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        extract(fresh)
        with fresh.open("rb") as f:
            wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        if catalog.fuzzy:
            found.append(f"{locale}: the catalog header is marked fuzzy, so it would not be compiled")
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        found += [f"{locale}: not in catalog (run update): {i!r}" for i in sorted(wanted - have)]
        if locale != "zh_Hans_CN":
            continue
        for m in catalog:
            if not m.id:
                continue
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            if m.fuzzy or not all(strings):
                found.append(f"zh_Hans_CN: untranslated or fuzzy: {m.id!r}")
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_catalogs()
    elif command == "check":
        issues = problems()
        print("\n".join(issues) or "catalogs complete")
        sys.exit(1 if issues else 0)
    else:
        sys.exit(__doc__)
