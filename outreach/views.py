from django.shortcuts import render

from core.errors import ReaderFacingNotFound


def page_not_found(request, exception):
    """Show our own Chinese explanation (unknown topic, …); never Django's internal message."""
    message = str(exception) if isinstance(exception, ReaderFacingNotFound) else ""
    return render(request, "404.html", {"message": message}, status=404)
