"""Accounts and sessions: argon2 password hashes, lock-out after repeated failures, signed expiring sessions
with a per-session CSRF token."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from doudi.registry.models import utc_now
from doudi.web.models import WebAccessLog, WebSession, WebUser
from doudi.web.roles import ROLES, Role, check_area

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # consecutive wrong passwords before the account locks
LOCK_MINUTES = 15
SESSION_HOURS = 8  # one working day

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing of "no such user" and "wrong password" equal.
_DUMMY_HASH = _hasher.hash("doudi-no-such-user")


class LoginFailed(Exception):
    """The message is for the user (Chinese) and never says whether the account exists."""


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    area_code: str
    session_id: str
    csrf_token: str

    @property
    def role_info(self) -> Role:
        return ROLES[self.role]

    def can(self, permission: str) -> bool:
        return permission in ROLES[self.role].permissions

    @property
    def officer(self) -> str:
        """How the user is named on what they do (cases, alerts, rolls, confirmations): 姓名（用户名）."""
        return f"{self.display_name}（{self.username}）"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session, username: str, password: str, role: str, area_code: str, display_name: str
) -> WebUser:
    check_area(role, area_code)
    if len(password) < 8:
        raise ValueError("密码至少 8 位")
    user = WebUser(
        username=username,
        display_name=display_name,
        role=role,
        area_code=area_code,
        password_hash=hash_password(password),
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def record(session: Session, username: str, action: str, target: str | None = None, detail: str | None = None) -> None:
    session.add(WebAccessLog(username=username, action=action, target=target, detail=detail))


def authenticate(session: Session, username: str, password: str) -> WebUser:
    """The user, or LoginFailed; counts failures and locks the account after MAX_FAILURES."""
    user = session.scalars(select(WebUser).where(WebUser.username == username)).first()
    now = utc_now()
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        record(session, username[:60], "login_failed", detail="no such user")
        raise LoginFailed("用户名或密码不正确")
    if user.locked_until is not None and user.locked_until > now:
        record(session, user.username, "login_refused_locked")
        raise LoginFailed(f"连续登录失败次数过多，账号已锁定，请 {LOCK_MINUTES} 分钟后再试或联系系统管理员")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        user.failed_logins += 1
        record(session, user.username, "login_failed", detail=f"failure {user.failed_logins}")
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            record(session, user.username, "locked")
            log.warning("account %s locked after %d failed logins", user.username, MAX_FAILURES)
            raise LoginFailed(
                f"连续登录失败次数过多，账号已锁定，请 {LOCK_MINUTES} 分钟后再试或联系系统管理员"
            ) from None
        left = MAX_FAILURES - user.failed_logins
        raise LoginFailed(f"用户名或密码不正确（再错 {left} 次账号将被锁定）") from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    record(session, user.username, "login")
    return user


class Sessions:
    """Issues and reads the session cookie: a random id, signed and time-limited, backed by a database row."""

    def __init__(self, secret: str) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="doudi-session")

    def start(self, session: Session, user: WebUser) -> str:
        """A new session for `user`; returns the cookie value."""
        session_id = secrets.token_urlsafe(32)
        session.execute(delete(WebSession).where(WebSession.expires_at < utc_now()))
        session.add(
            WebSession(
                id=session_id,
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=utc_now() + dt.timedelta(hours=SESSION_HOURS),
            )
        )
        return self._signer.dumps(session_id)

    def read(self, session: Session, cookie: str | None) -> CurrentUser | None:
        if not cookie:
            return None
        try:
            session_id = self._signer.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        row = session.execute(
            select(WebSession, WebUser)
            .join(WebUser, WebUser.id == WebSession.user_id)
            .where(WebSession.id == session_id)
        ).first()
        if row is None:
            return None
        web_session, user = row
        if web_session.expires_at < utc_now():
            return None
        return CurrentUser(
            user.id, user.username, user.display_name, user.role, user.area_code, web_session.id, web_session.csrf_token
        )

    def end(self, session: Session, session_id: str) -> None:
        session.execute(delete(WebSession).where(WebSession.id == session_id))
