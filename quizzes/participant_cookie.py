"""The signed cookie that recognises a participant in this browser, read and written in one place.
It holds only the participant's random token; who that is, is a question for
``selectors.participant_by_token``."""

import uuid

PARTICIPANT_COOKIE = "participant"
PARTICIPANT_COOKIE_SALT = "quizzes.participant"
PARTICIPANT_COOKIE_AGE = 180 * 24 * 3600


def remember_participant(response, *, participant, secure):
    response.set_signed_cookie(
        PARTICIPANT_COOKIE,
        str(participant.token),
        salt=PARTICIPANT_COOKIE_SALT,
        max_age=PARTICIPANT_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def participant_token(request) -> uuid.UUID | None:
    """The token in a validly signed participant cookie, else None (missing or forged)."""
    value = request.get_signed_cookie(PARTICIPANT_COOKIE, default=None, salt=PARTICIPANT_COOKIE_SALT)
    # Only this module signs the cookie, and it signs a UUID.
    return uuid.UUID(value) if value else None
