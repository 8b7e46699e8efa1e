"""The signed cookie that recognises a participant in this browser, read and written in one place.
It holds only the participant's random token; who that is, is a question for
``selectors.participant_by_token``."""

import uuid

from django.utils import timezone

PARTICIPANT_COOKIE = "participant"
PARTICIPANT_COOKIE_SALT = "quizzes.participant"
# A browser shared by a class forgets its last participant soon after the contest closes.
MIN_COOKIE_AGE = 3600


def remember_participant(response, *, participant, until, secure):
    """Recognise ``participant`` in this browser until ``until`` (the contest's close)."""
    max_age = max(MIN_COOKIE_AGE, int((until - timezone.now()).total_seconds()))
    response.set_signed_cookie(
        PARTICIPANT_COOKIE,
        str(participant.token),
        salt=PARTICIPANT_COOKIE_SALT,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def forget_participant(response):
    response.delete_cookie(PARTICIPANT_COOKIE, samesite="Lax")


def participant_token(request) -> uuid.UUID | None:
    """The token in a validly signed participant cookie, else None (missing or forged)."""
    value = request.get_signed_cookie(PARTICIPANT_COOKIE, default=None, salt=PARTICIPANT_COOKIE_SALT)
    # Only this module signs the cookie, and it signs a UUID.
    return uuid.UUID(value) if value else None
