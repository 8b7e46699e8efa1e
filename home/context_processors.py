from .reading import READING_COOKIE, parse_reading_cookie


def reading_preferences(request):
    text, contrast = parse_reading_cookie(request.COOKIES.get(READING_COOKIE))
    return {"reading_text": text, "reading_contrast": contrast}
