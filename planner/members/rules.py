"""State changes of the members domain: logging in, passwords, accounts and members."""

import hashlib
import re
import secrets
import unicodedata
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from planner.core import audit
from planner.core.rules import RuleError
from planner.core.time import utcnow
from planner.extensions import db
from planner.members.models import LoginAttempt, Member, Network, SetPasswordLink, User

# Checked against when the email is unknown, so both paths cost one scrypt hash.
_DUMMY_HASH: str | None = None


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# --- logging in -------------------------------------------------------------------------


def _recent_failures(column, value: str) -> int:
    since = utcnow() - current_app.config["LOGIN_FAILURE_WINDOW"]
    query = select(func.count(LoginAttempt.id)).where(
        column == value, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
    )
    return db.session.scalar(query) or 0


def is_throttled(email: str, address: str) -> bool:
    config = current_app.config
    return (
        _recent_failures(LoginAttempt.email, normalize_email(email))
        >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(LoginAttempt.address, address)
        >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def authenticate(email: str, password: str, address: str) -> User:
    """The active user with these credentials, or RuleError. Every attempt is recorded."""
    email = normalize_email(email)
    if is_throttled(email, address):
        raise RuleError(
            _("Too many failed attempts. Wait 15 minutes before trying again."), status=429
        )
    user = db.session.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user and user.password_hash else None
    # Same work whether or not the email exists: timing reveals nothing.
    password_ok = check_password_hash(stored or _dummy_hash(), password or "")
    succeeded = bool(user and stored and password_ok and user.is_active)
    db.session.add(LoginAttempt(email=email, address=address, succeeded=succeeded))
    if not succeeded:
        # One message for every failure, so it reveals nothing about the account.
        raise RuleError(_("Wrong email or password, or the account is deactivated."), status=400)
    user.last_login_at = utcnow()
    if not stored.startswith(current_app.config["PASSWORD_HASH_METHOD"] + "$"):
        # Hashed with an earlier method: rehashed now that the password is at hand.
        user.password_hash = hash_password(password)
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every cookie issued for this user (logout, password change)."""
    user.session_version += 1


# --- passwords -------------------------------------------------------------------------


def check_new_password(user: User, password: str, confirmation: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise RuleError(
            _("The password must have at least %(n)d characters.", n=minimum), field="password"
        )
    if password.strip().lower() == user.email.lower():
        raise RuleError(_("The password must not be your email address."), field="password")
    if password != confirmation:
        raise RuleError(_("The two passwords are not the same."), field="confirmation")


def change_password(
    user: User, current_password: str, new_password: str, confirmation: str
) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        raise RuleError(_("Your current password is not correct."), field="current_password")
    check_new_password(user, new_password, confirmation)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    audit.record(user, "user.password_changed", user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_set_password_link(actor: User, user: User) -> str:
    """A new one-time token for `user`; earlier unused links stop working."""
    now = utcnow()
    for link in db.session.scalars(
        select(SetPasswordLink).where(
            SetPasswordLink.user_id == user.id, SetPasswordLink.used_at.is_(None)
        )
    ):
        link.used_at = now
    token = secrets.token_urlsafe(32)
    db.session.add(
        SetPasswordLink(
            user_id=user.id,
            token_hash=_token_hash(token),
            expires_at=now + current_app.config["SET_PASSWORD_LINK_LIFETIME"],
            created_by_id=actor.id,
        )
    )
    audit.record(actor, "user.set_password_link_created", user)
    return token


def find_set_password_link(token: str) -> SetPasswordLink | None:
    """The link if it exists, is unused and has not expired."""
    link = db.session.scalar(
        select(SetPasswordLink).where(SetPasswordLink.token_hash == _token_hash(token or ""))
    )
    if link is None or link.used_at is not None or link.expires_at < utcnow():
        return None
    return link


def use_set_password_link(token: str, password: str, confirmation: str) -> User:
    link = find_set_password_link(token)
    if link is None:
        raise RuleError(_("This link has expired or was already used."), status=404)
    check_new_password(link.user, password, confirmation)
    link.used_at = utcnow()
    link.user.password_hash = hash_password(password)
    end_all_sessions(link.user)
    audit.record(link.user, "user.password_set_from_link", link.user)
    return link.user


# --- accounts ---------------------------------------------------------------------------


def _check_roles(member_id: int | None, is_secretariat: bool, is_observer: bool) -> None:
    if is_observer and (member_id is not None or is_secretariat):
        raise RuleError(
            _("An observer only reads: do not give them a cluster or the secretariat role."),
            field="is_observer",
        )
    if member_id is None and not is_secretariat and not is_observer:
        raise RuleError(
            _("Choose at least one role: director of a cluster, secretariat or observer."),
            field="member_id",
        )
    if member_id is not None and db.session.get(Member, member_id) is None:
        raise RuleError(_("This member cluster does not exist."), field="member_id")


def create_user(
    actor: User | None,
    *,
    email: str,
    full_name: str,
    member_id: int | None = None,
    is_secretariat: bool = False,
    is_observer: bool = False,
    preferred_language: str | None = None,
    password: str | None = None,
) -> User:
    email = normalize_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise RuleError(_("An account already exists with this email."), 409, field="email")
    _check_roles(member_id, is_secretariat, is_observer)
    user = User(
        email=email,
        full_name=full_name.strip(),
        member_id=member_id,
        is_secretariat=is_secretariat,
        is_observer=is_observer,
        preferred_language=preferred_language or None,
    )
    if password is not None:
        check_new_password(user, password, password)
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, email=email, roles=user.role_names)
    return user


def update_user(actor: User, user: User, **values) -> User:
    email = normalize_email(values["email"])
    clash = db.session.scalar(select(User.id).where(User.email == email, User.id != user.id))
    if clash is not None:
        raise RuleError(_("An account already exists with this email."), 409, field="email")
    _check_roles(values["member_id"], values["is_secretariat"], values["is_observer"])
    if user.id == actor.id and not values["is_secretariat"]:
        raise RuleError(_("You cannot remove your own secretariat role."), field="is_secretariat")
    before = {"email": user.email, "roles": user.role_names}
    user.email = email
    user.full_name = values["full_name"]
    user.member_id = values["member_id"]
    user.is_secretariat = values["is_secretariat"]
    user.is_observer = values["is_observer"]
    user.preferred_language = values.get("preferred_language") or None
    db.session.flush()
    audit.record(actor, "user.updated", user, before=before, roles=user.role_names)
    return user


def set_user_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise RuleError(_("You cannot deactivate your own account."), 409)
    user.is_active_account = active
    if not active:
        end_all_sessions(user)
    audit.record(actor, "user.activated" if active else "user.deactivated", user)


def set_language(user: User, language: str) -> None:
    if language not in current_app.config["LANGUAGES"]:
        raise RuleError(_("This language is not available."))
    user.preferred_language = language


# --- members ----------------------------------------------------------------------------


def _check_member_names(name: str, short_name: str, exclude_id: int | None) -> str:
    slug = slugify(short_name)
    if not slug:
        raise RuleError(_("The short name needs at least one letter or digit."), field="short_name")
    others = select(Member).where(
        (Member.name == name) | (Member.short_name == short_name) | (Member.slug == slug)
    )
    if exclude_id is not None:
        others = others.where(Member.id != exclude_id)
    clash = db.session.scalar(others.limit(1))
    if clash is not None:
        field = "name" if clash.name == name else "short_name"
        raise RuleError(_("Another member cluster already uses this name."), 409, field=field)
    return slug


def create_member(
    actor: User | None,
    *,
    name: str,
    short_name: str,
    sector: str = "",
    city: str = "",
    region: str = "",
    joined_on: date | None = None,
) -> Member:
    slug = _check_member_names(name, short_name, None)
    member = Member(
        name=name,
        short_name=short_name,
        slug=slug,
        sector=sector,
        city=city,
        region=region,
        joined_on=joined_on,
        is_active=True,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "member.created", member, name=name)
    return member


def update_member(actor: User, member: Member, version: int, **values) -> Member:
    if version != member.version:
        raise RuleError(
            _(
                "Someone else changed this member cluster while you were editing it. "
                "The current values are shown below: check them and save again."
            ),
            409,
        )
    slug = _check_member_names(values["name"], values["short_name"], member.id)
    if not values["is_active"] and member.is_active:
        network = db.session.scalar(select(Network).limit(1))
        if network is not None and network.secretariat_member_id == member.id:
            raise RuleError(
                _(
                    "This cluster holds the secretariat: give the secretariat to another "
                    "member first."
                ),
                409,
                field="is_active",
            )
    before = {"name": member.name, "is_active": member.is_active}
    for key in ("name", "short_name", "sector", "city", "region", "joined_on", "is_active"):
        setattr(member, key, values[key])
    member.slug = slug
    db.session.flush()
    audit.record(actor, "member.updated", member, before=before)
    return member


def update_network(actor: User, network: Network, **values) -> Network:
    holder_id = values.get("secretariat_member_id")
    if holder_id is not None:
        holder = db.session.get(Member, holder_id)
        if holder is None or not holder.is_active:
            raise RuleError(
                _("The secretariat must be held by an active member cluster."),
                field="secretariat_member_id",
            )
    before = {key: getattr(network, key) for key in values}
    for key, value in values.items():
        setattr(network, key, value)
    audit.record(actor, "network.updated", network, before=before)
    return network
