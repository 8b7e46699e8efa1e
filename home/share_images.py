"""The generated share image of a page without a cover: placeholder, filled in by issue 11."""

from django.http import Http404


def share_image(request, page_id):
    raise Http404
