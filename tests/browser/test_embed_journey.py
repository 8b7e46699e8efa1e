"""A media outlet's page on another origin frames one of our articles: with the outlet listed and
active, Chromium shows the article in the frame and embed-resize.js fits the frame to it; once
the outlet is switched off, Chromium refuses to render the frame (frame-ancestors).

The outlet's page (tests/browser/outlets.py) is on 127.0.0.2, another site than the live
server's localhost; its HTML is the snippet the admin's 嵌入代码 page shows.
"""

import pytest
from playwright.sync_api import expect

from .walk import in_worker_thread

TITLE = "嵌入之旅：汛期出行安全提示"
SNIPPET_HEIGHT = "480"


def _create(base_url, outlet_origin):
    from core import embedding
    from core.models import MediaOutlet
    from home.factories import ArticlePageFactory, ColumnIndexPageFactory, paragraphs_to_body
    from home.models import HomePage

    column = ColumnIndexPageFactory(parent=HomePage.objects.get(), title="嵌入之旅专栏", slug="embed-walk")
    # Long enough that the fitted frame is clearly taller than the snippet's 480 px.
    body = paragraphs_to_body(
        [f"第{n}条：暴雨天气尽量减少外出，不要涉水通过积水路段和下穿通道。" for n in range(1, 30)]
    )
    article = ArticlePageFactory(parent=column, title=TITLE, slug="embed-walk-article", body=body)
    outlet = MediaOutlet.objects.create(name="嵌入之旅媒体", allowed_origins=outlet_origin)
    snippet = str(embedding.embed_snippet(article, base_url=base_url))
    return {"column": column.pk, "outlet": outlet.pk, "snippet": snippet}


def _delete(made):
    from core.models import MediaOutlet
    from home.models import ColumnIndexPage

    MediaOutlet.objects.filter(pk=made["outlet"]).delete()
    ColumnIndexPage.objects.get(pk=made["column"]).delete()


def _switch_off(outlet_pk):
    from core.models import MediaOutlet

    outlet = MediaOutlet.objects.get(pk=outlet_pk)
    outlet.is_active = False
    outlet.save()  # the save signal drops the cached origins


@pytest.fixture
def embed_data(server, outlet_site):
    made = in_worker_thread(lambda: _create(server.url, outlet_site.origin))
    outlet_site.show(made["snippet"])
    yield {**made, "outlet_url": outlet_site.page_url}
    in_worker_thread(lambda: _delete(made))


def test_an_outlet_frames_an_article_and_an_unlisted_origin_is_refused(walk, embed_data):
    outlet_url = embed_data["outlet_url"]
    page = walk.page

    page.goto(outlet_url)
    frame = page.frame_locator("iframe[data-embed-frame]")
    expect(frame.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(frame.get_by_role("link", name="在莱西市安全生产宣传教育平台打开")).to_be_visible()
    iframe = page.locator("iframe[data-embed-frame]")
    expect(iframe).not_to_have_attribute("height", SNIPPET_HEIGHT)
    fitted = int(iframe.get_attribute("height"))
    content = frame.locator("html").evaluate("element => element.getBoundingClientRect().height")
    assert abs(fitted - content) <= 2 and fitted > int(SNIPPET_HEIGHT), (fitted, content)
    walk.shot("framed")

    in_worker_thread(lambda: _switch_off(embed_data["outlet"]))
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.reload()
    expect(frame.get_by_role("heading", level=1)).to_have_count(0)
    expect(iframe).to_have_attribute("height", SNIPPET_HEIGHT)
    walk.shot("refused")

    # Expected, and only these: the outlet page's own host, and Chromium's report of the refusal.
    def expected(problem):
        return problem == f"request to another host: {outlet_url}" or "frame-ancestors" in problem

    assert any("frame-ancestors" in problem for problem in walk.problems), walk.problems
    walk.problems[:] = [problem for problem in walk.problems if not expected(problem)]
