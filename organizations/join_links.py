"""The signed cookie a unit's join link (its QR code) leaves in the browser, read and written in
one place. It holds only the unit's id; which unit that is, and whether it is still active, is a
question for ``selectors.active_unit``."""

from core.parsing import parse_id

JOIN_COOKIE = "join_unit"
JOIN_COOKIE_MAX_AGE = 30 * 24 * 3600


def remember_joined_unit(response, *, unit, secure):
    response.set_signed_cookie(
        JOIN_COOKIE, str(unit.pk), max_age=JOIN_COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=secure
    )


def joined_unit_id(request) -> int | None:
    """The id in a valid, unexpired join cookie, else None."""
    return parse_id(request.get_signed_cookie(JOIN_COOKIE, default=None, max_age=JOIN_COOKIE_MAX_AGE))
