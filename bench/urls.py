from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from outreach.urls import urlpatterns as site_urlpatterns

FIXED_BODY = ("<!DOCTYPE html><html lang=zh-CN><title>ok</title><p>" + "安全" * 2000 + "</p></html>").encode()


@never_cache
def bare(request):
    """The ceiling: a Django view that returns a fixed response through the same middleware."""
    return HttpResponse(FIXED_BODY)


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
