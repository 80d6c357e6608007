"""Registration, login, logout, session revocation, rate limits."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts import auth, services
from app.accounts.models import AuthSession, ResidenceStatus, User
from app.audit.models import AuditEntry
from app.extensions import db
from app.notifications.models import Notification
from app.sqltypes import utcnow
from tests.conftest import Client, text


def _register(client, places, **overrides):
    data = {"login": "13912345678", "display_name": "王阿姨", "community": str(places.community.id),
            "household": "3幢2单元501", "password": "sunny balcony garden"}
    data.update(overrides)
    return client.post("/register", data)


def test_register_creates_pending_resident_logs_in_and_tells_social_workers(client, places, make_user):
    worker = make_user("social_worker")
    response = _register(client, places)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account")
    user = db.session.scalar(sa.select(User).where(User.phone == "13912345678"))
    assert user.residence_status is ResidenceStatus.pending
    assert user.password_hash.startswith("$argon2id$")
    assert user.community_id == places.community.id and user.household == "3幢2单元501"
    account = client.get("/account")
    assert account.status_code == 200 and "王阿姨" in text(account)
    assert "待认证" in text(account)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "accounts.register")).object_id == user.id
    note = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == worker.id, Notification.kind == "accounts.residence_requested"))
    assert note.kind == "accounts.residence_requested" and note.params["name"] == "王阿姨"


def test_register_accepts_full_width_digits_and_spaces(client, places):
    response = _register(client, places, login="１３９ １２３４ ５６７８")
    assert response.status_code == 303
    assert db.session.scalar(sa.select(User.phone).where(User.phone == "13912345678"))


def test_register_with_username(client, places):
    response = _register(client, places, login="LaoWang_88")
    assert response.status_code == 303
    assert db.session.scalar(sa.select(User).where(User.username == "laowang_88")) is not None


def test_duplicate_phone_is_refused_and_fields_kept(client, places, make_user):
    make_user(login="13912345678")
    response = _register(client, places)
    assert response.status_code == 422
    body = text(response)
    assert "该手机号或用户名已注册" in body
    assert 'value="王阿姨"' in body and 'value="3幢2单元501"' in body
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.display_name == "王阿姨")) == 0


def test_bad_phone_is_refused_with_clear_message(client, places):
    response = _register(client, places, login="1391234567")
    assert response.status_code == 422
    assert "请输入 11 位手机号码" in text(response)
    response = _register(client, places, login="23912345678")
    assert response.status_code == 422


def test_weak_password_keeps_typed_fields_but_not_the_password(client, places):
    for weak, message in [("12345678", "太常见"), ("short", "至少需要 8 个字符"), ("13912345678", "太常见|不能与手机号")]:
        response = _register(client, places, password=weak)
        body = text(response)
        assert response.status_code == 422
        assert any(m in body for m in message.split("|")), body
        assert 'value="13912345678"' in body and 'value="王阿姨"' in body
        assert f'value="{weak}"' not in body or weak == "13912345678"
        assert 'type="password" value=""' in body
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_password_equal_to_login_is_refused(client, places):
    response = _register(client, places, login="laowang_88", password="laowang_88")
    assert response.status_code == 422
    assert "密码不能与手机号或用户名相同" in text(response)


def test_register_errors_in_english(client, places):
    client.post("/prefs/locale", {"locale": "en"})
    response = _register(client, places, login="123")
    assert response.status_code == 422
    assert "Enter an 11-digit mainland mobile number" in text(response)


def test_inline_check_renders_one_field(client, places, make_user):
    make_user(login="13912345678")
    response = client.post("/register/check", {"login": "13912345678", "community": ""},
                           headers={"HX-Request": "true", "HX-Trigger-Name": "login"})
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and 'id="field-login"' in body and "该手机号或用户名已注册" in body
    ok = client.post("/register/check", {"login": "13900000000"},
                     headers={"HX-Request": "true", "HX-Trigger-Name": "login"})
    assert "aria-invalid" not in text(ok)
    bad = client.post("/register/check", {"x": "1"}, headers={"HX-Request": "true", "HX-Trigger-Name": "community"})
    assert bad.status_code == 400


def test_login_success_and_failure(client, make_user):
    user = make_user()
    wrong = client.post("/login", {"login": user.login_name, "password": "not the password"})
    assert wrong.status_code == 422
    assert "手机号/用户名或密码不正确" in text(wrong)
    unknown = client.post("/login", {"login": "nobody_here", "password": "whatever123"})
    assert unknown.status_code == 422 and "手机号/用户名或密码不正确" in text(unknown)
    ok = client.post("/login?next=/account", {"login": user.login_name, "password": "correct horse battery"})
    assert ok.status_code == 303 and ok.headers["Location"] == "/account"
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_login_refuses_offsite_next(client, make_user):
    user = make_user()
    for target in ["//evil.example/x", "https://evil.example/", "/\\evil.example"]:
        response = Client(client.application.test_client()).post(f"/login?next={target}", {"login": user.login_name,
                                                             "password": "correct horse battery"})
        assert response.status_code == 303
        assert response.headers["Location"] == "/", target


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user(active=False)
    response = client.post("/login", {"login": user.login_name, "password": "correct horse battery"})
    assert response.status_code == 422


def test_login_rate_limit_per_account(client, make_user):
    user = make_user()
    for _ in range(5):
        assert client.post("/login", {"login": user.login_name, "password": "wrong-password"}).status_code == 422
    blocked = client.post("/login", {"login": user.login_name, "password": "correct horse battery"})
    assert blocked.status_code == 429
    assert "登录尝试次数过多" in text(blocked) and "分钟后再试" in text(blocked)
    assert 'name="login"' in text(blocked)  # the login form is still there
    other = make_user()
    assert client.post("/login", {"login": other.login_name, "password": "correct horse battery"}).status_code == 303


def test_login_rate_limit_per_ip(app, client, make_user):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per 15 minutes"
    users = [make_user() for _ in range(4)]
    for u in users[:3]:
        assert client.post("/login", {"login": u.login_name, "password": "wrong-password"}).status_code == 422
    assert client.post("/login", {"login": users[3].login_name, "password": "correct horse battery"}).status_code == 429


def test_register_check_is_rate_limited_per_ip(app, client, make_user):
    """The inline check answers "already registered": without a limit it lists who has an account."""
    app.config["REGISTER_PROBE_LIMIT_PER_IP"] = "5 per hour"
    make_user(login="13912345678")
    for n in range(5):
        response = client.post("/register/check", {"login": f"1391234567{n + 4}"},
                               headers={"HX-Request": "true", "HX-Trigger-Name": "login"})
        assert response.status_code == 200
    blocked = client.post("/register/check", {"login": "13912345678"},
                          headers={"HX-Request": "true", "HX-Trigger-Name": "login"})
    assert blocked.status_code == 429 and "已注册" not in text(blocked)


def test_failed_registrations_count_against_the_same_per_ip_limit(app, client, places, make_user):
    app.config["REGISTER_PROBE_LIMIT_PER_IP"] = "3 per hour"
    make_user(login="13912345678")
    for _ in range(3):
        assert _register(client, places).status_code == 422  # already registered
    blocked = _register(client, places)
    assert blocked.status_code == 429 and "已注册" not in text(blocked)
    blocked = client.post("/register/check", {"login": "13912345678"},
                          headers={"HX-Request": "true", "HX-Trigger-Name": "login"})
    assert blocked.status_code == 429


def _wrong(c, user, times=5):
    for _ in range(times):
        assert c.post("/login", {"login": user.login_name, "password": "wrong-password"}).status_code == 422


def test_known_device_still_logs_in_after_someone_else_hit_the_account_limit(app, client_for, make_user):
    """Anyone can spend an account's 5 failed attempts; the owner's phone, which
    logged in before (signed device cookie), still gets in with the right password."""
    victim = make_user()
    phone = client_for(victim)
    phone.post("/logout")
    attacker = Client(app.test_client())
    _wrong(attacker, victim)
    assert attacker.post("/login", {"login": victim.login_name, "password": "correct horse battery"}).status_code == 429
    assert Client(app.test_client()).post(
        "/login", {"login": victim.login_name, "password": "correct horse battery"}).status_code == 429
    assert phone.post("/login", {"login": victim.login_name, "password": "correct horse battery"}).status_code == 303


def test_known_device_has_its_own_limit_and_only_for_its_accounts(app, client_for, make_user):
    owner, neighbour = make_user(), make_user()
    phone = client_for(owner)
    phone.post("/logout")
    _wrong(Client(app.test_client()), neighbour)
    assert phone.post("/login", {"login": neighbour.login_name,
                                 "password": "correct horse battery"}).status_code == 429
    _wrong(phone, owner)
    assert phone.post("/login", {"login": owner.login_name, "password": "correct horse battery"}).status_code == 429


def test_forged_device_cookie_is_ignored(app, client, make_user):
    victim = make_user()
    _wrong(Client(app.test_client()), victim)
    client.set_cookie("linli_device", "forged.value", path="/login")
    assert client.post("/login", {"login": victim.login_name, "password": "correct horse battery"}).status_code == 429


def test_successful_logins_are_not_rate_limited(client, make_user):
    user = make_user()
    for _ in range(8):
        client.login(user)
        client.post("/logout")


def test_logout_invalidates_the_old_cookie(app, client_for, make_user):
    user = make_user()
    c = client_for(user)
    stolen = c.get_cookie("linli_session").value
    assert c.get("/account").status_code == 200
    c.post("/logout")
    replay = Client(app.test_client())
    replay.set_cookie("linli_session", stolen)
    response = replay.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_revokes_other_sessions_and_keeps_this_one(client_for, make_user):
    user = make_user()
    phone, laptop = client_for(user), client_for(user)
    response = phone.post("/account/password", {"current_password": "correct horse battery",
                                                "new_password": "a new long passphrase"})
    assert response.status_code == 303
    assert phone.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302
    assert laptop.post("/login", {"login": user.login_name, "password": "correct horse battery"}).status_code == 422
    laptop.login(user, "a new long passphrase")


def test_password_change_errors(client_for, make_user):
    user = make_user()
    c = client_for(user)
    wrong = c.post("/account/password", {"current_password": "nope nope", "new_password": "a new long passphrase"})
    assert wrong.status_code == 422 and "当前密码不正确" in text(wrong)
    weak = c.post("/account/password", {"current_password": "correct horse battery", "new_password": "password"})
    assert weak.status_code == 422 and "太常见" in text(weak)
    assert c.get("/account").status_code == 200


def test_logout_everywhere(client_for, make_user):
    user = make_user()
    a, b = client_for(user), client_for(user)
    assert a.post("/logout-everywhere").status_code == 303
    assert a.get("/account").status_code == 302
    assert b.get("/account").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(AuthSession.id)).where(AuthSession.revoked_at.is_(None))) == 0


def test_deactivation_ends_sessions(client_for, make_user):
    admin = make_user("admin")
    user = make_user()
    victim = client_for(user)
    assert victim.get("/account").status_code == 200
    response = client_for(admin).post(f"/admin/users/{user.id}/active", {"active": "0"})
    assert response.status_code == 303
    assert victim.get("/account").status_code == 302


def test_htmx_request_after_session_expired_gets_hx_redirect(client):
    response = client.get("/account", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")
    page = client.get("/account")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=/account")


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.post("/login", {"login": user.login_name, "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_hash_profile_uses_argon2_defaults(app):
    from argon2 import PasswordHasher

    from app.accounts.passwords import _hasher

    default = _hasher("default")
    assert (default.time_cost, default.memory_cost, default.parallelism) == (
        PasswordHasher().time_cost, PasswordHasher().memory_cost, PasswordHasher().parallelism)
    assert default.hash("x" * 10).startswith("$argon2id$")


# -- session lifetime and idle timeout ----------------------------------------------------

def _age_sessions(user, *, created=timedelta(0), idle=timedelta(0)):
    now = utcnow()
    db.session.execute(sa.update(AuthSession).where(AuthSession.user_id == user.id)
                       .values(created_at=now - created, last_seen_at=now - idle))
    db.session.commit()


def _logged_in(c) -> bool:
    response = c.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_session_ends_after_its_absolute_lifetime(client_for, make_user):
    user = make_user()
    c = client_for(user)
    _age_sessions(user, created=timedelta(days=29))
    assert _logged_in(c)
    _age_sessions(user, created=timedelta(days=31))
    assert not _logged_in(c)
    assert services.active_sessions(user, auth.session_policy()) == []


def test_resident_session_ends_after_a_week_idle_and_use_keeps_it_alive(client_for, make_user):
    user = make_user()
    c = client_for(user)
    _age_sessions(user, idle=timedelta(days=6))
    assert _logged_in(c)
    last_seen = db.session.scalar(sa.select(AuthSession.last_seen_at).where(AuthSession.user_id == user.id))
    assert utcnow() - last_seen < timedelta(minutes=1)  # the visit counted as activity
    _age_sessions(user, idle=timedelta(days=8))
    assert not _logged_in(c)


def test_staff_session_ends_after_twelve_hours_idle(client_for, make_user):
    resident, worker = make_user(), make_user("social_worker")
    r, w = client_for(resident), client_for(worker)
    for user in (resident, worker):
        _age_sessions(user, idle=timedelta(hours=13))
    assert _logged_in(r)
    assert not _logged_in(w)


def test_session_timeouts_are_configurable(app, client_for, make_user):
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(hours=1)
    user = make_user()
    c = client_for(user)
    _age_sessions(user, idle=timedelta(hours=2))
    assert not _logged_in(c)
