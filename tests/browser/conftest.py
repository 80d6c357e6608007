"""Browser journeys: Playwright driving the system Chromium against a live
server on SQLite. Skipped with a reason when Chromium is missing, unless
REQUIRE_BROWSER=1 (CI), where that is a failure."""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import app_for

OUTPUT = Path(__file__).resolve().parent.parent.parent / "test-output"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # what axe checks, every page
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = _chromium()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium)")
        pytest.skip("Chromium not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(sqlite_template, tmp_path):
    """The app on a free port with its own SQLite database (places and people from the test)."""
    db_path = tmp_path / "live.db"
    shutil.copyfile(sqlite_template, db_path)
    with serve(app_for(f"sqlite:///{db_path}")) as server:
        yield server


@contextmanager
def serve(app):
    """`app` on a free loopback port in a thread, as `server` with `.app` and `.url`."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()


@pytest.fixture
def world(live_server):
    """Demo-like places and people inside the live server's database."""
    from app.extensions import db
    from tests.conftest import Places

    with live_server.app.app_context():
        places = Places()
        ids = {"community": places.community.id, "community_name": places.community.name}
        from app.accounts import services
        from app.accounts.models import Role

        worker = services.create_user(None, login="shegong_t", display_name="李社工", password="correct horse battery")
        services.assign_role(None, worker, Role.social_worker, places.community.id)
        db.session.commit()
        db.session.remove()
    return ids


def _phone(browser, viewport: dict, js: bool):
    """A phone's page (zh-CN, touch, 2x pixels) with JavaScript on or off;
    `page.js_enabled` tells a journey which run it is."""
    context = browser.new_context(viewport=viewport, java_script_enabled=js, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.js_enabled = js
    yield page
    context.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def page(request, browser):
    yield from _phone(browser, PHONE, request.param)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def small_phone(request, browser):
    """360 px wide, as the cheapest phones; with and without JavaScript."""
    yield from _phone(browser, SMALL_PHONE, request.param)


def login(page, base: str, login_name: str, password: str = "correct horse battery") -> None:
    """Log in from a clean slate (no cookies) and wait until the page shows it.
    Leaving the page first stops its polling, whose late response would bring
    the old session cookie back; so can the previous page's own response when
    it lands after the cookies were cleared (a form's redirect still loading),
    in which case /login sends the old user home: clear again and go back."""
    page.wait_for_load_state()
    for _attempt in range(3):
        page.goto("about:blank")
        page.context.clear_cookies()
        page.goto(base + "/login")
        if "/login" in page.url:
            break
    page.get_by_label("手机号或用户名").fill(login_name)
    page.get_by_label("密码").fill(password)
    page.locator("main").get_by_role("button", name="登录").click()
    page.locator(".account-link").wait_for()


def shot(page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    suffix = "js" if getattr(page, "js_enabled", True) else "nojs"
    page.screenshot(path=str(OUTPUT / f"{name}-{suffix}.png"), full_page=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep a screenshot of the page as it was when a browser test failed."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") or item.funcargs.get("axe_page")
    if report.when == "call" and report.failed and page is not None:
        OUTPUT.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(OUTPUT / f"FAILED-{item.name}.png"), full_page=True)
            (OUTPUT / f"FAILED-{item.name}.html").write_text(page.content())
        except Exception:  # noqa: BLE001 - the page may be gone; the failure itself is reported
            pass
