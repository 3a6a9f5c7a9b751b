"""Site skeleton, part 1: the home page and the default Wagtail site (normally made by migration core.0002)."""

from django.db import transaction
from wagtail.models import Page, Site

from core.models import HomePage

HOME_TITLE = "明鉴干部教育平台"
HOME_INTRO = "<p>以案为鉴、以案促改。在这里学习权力观、政绩观、监督观课程，研读警示教育案例，记录学时。</p>"


@transaction.atomic
def home_ensure() -> HomePage:
    """The one HomePage (depth 2) and a default Site serving it; created only when missing."""
    home = HomePage.objects.order_by("path").first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(title=HOME_TITLE, slug="home", intro=HOME_INTRO)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="明鉴")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home


def ensure(*, stdout=None) -> list[str]:
    home = home_ensure()
    return [f"首页：{home.title}（/）"]
