"""``manage.py outlet_demo_page DIR``: writes DIR/index.html, a stand-in for a media outlet's
news page that pastes the 嵌入代码 of the latest live contest, event, column and article through
the demo outlet (core.demo), so ``make outlet-demo`` shows our pages framed from another origin."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from core import embedding
from core.demo import DEMO_OUTLET_NAME


class Command(BaseCommand):
    help = "生成演示用的合作媒体页面（嵌入本站的答卷、活动、专栏和文章）。"

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="本站地址")
        parser.add_argument("--outlet", default=DEMO_OUTLET_NAME, help="合作媒体名称")

    def handle(self, *args, directory, base_url, outlet, **options):
        name = outlet
        outlet = embedding.active_outlets().filter(name=name).first()
        if outlet is None:
            raise CommandError(f"没有启用的合作媒体“{name}”：演示媒体由 load_demo_content 创建。")
        base_url = base_url.rstrip("/")
        frames = []
        for label in settings.EMBEDDABLE_PAGE_TYPES:
            model = apps.get_model(label)
            page = embedding.embeddable_pages().type(model).order_by("-pk").first()
            if page is not None:
                frames.append(
                    {
                        "kind": model._meta.verbose_name,
                        "page": page,
                        "snippet": embedding.embed_snippet(page.specific, base_url=base_url, outlet=outlet),
                    }
                )
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        html = render_to_string("outreach/outlet_demo_page.html", {"outlet": outlet, "frames": frames})
        (target / "index.html").write_text(html, encoding="utf-8")
        self.stdout.write(f"{target / 'index.html'}：{len(frames)} 个嵌入页面，来自 {base_url}")
