"""The demo's media outlet: a news site on http://localhost:8081 (``make outlet-demo`` serves a
page there framing the demo's contest, event and column), so the 嵌入代码 and the attribution in
the reports can be tried on one machine."""

from django.db import transaction

from .models import MediaOutlet

DEMO_OUTLET_NAME = "莱西融媒（演示）"
DEMO_OUTLET_ORIGINS = ["http://localhost:8081", "http://127.0.0.1:8081"]


@transaction.atomic
def load_demo_outlets():
    outlet = MediaOutlet.objects.filter(name=DEMO_OUTLET_NAME).first()
    if outlet is None:
        outlet = MediaOutlet(
            name=DEMO_OUTLET_NAME,
            allowed_origins="\n".join(DEMO_OUTLET_ORIGINS),
            contact_name="王编辑",
            contact_email="editor@example.cn",
        )
        outlet.full_clean()
        outlet.save()
    return outlet
