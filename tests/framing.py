"""What the embed tests read off a response: who may frame it, and a form's CSRF token."""

import re


def frame_ancestors(response):
    policy = response["Content-Security-Policy"]
    directive = next(d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors"))
    return directive.split()[1:]


def assert_framed_by(response, *origins):
    """Frameable by this site and exactly ``origins``, and by nobody else."""
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == ["'self'", *origins]


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
