"""WeChat JS-SDK share configuration: placeholder, filled in by issue 11."""

from django.http import Http404


def js_config(request):
    raise Http404
