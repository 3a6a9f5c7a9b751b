from django.db import migrations

INTRO = "<p>以案为鉴、以案促改。在这里学习权力观、政绩观、监督观课程，研读警示教育案例，记录学时。</p>"


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("core.HomePage")

    # Replace Wagtail's placeholder "Welcome" page with ours.
    Page.objects.filter(depth=2, slug="home").delete()
    homepage_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="core")
    locale = Locale.objects.first()
    home = HomePage.objects.create(
        title="明鉴干部教育平台", draft_title="明鉴干部教育平台", slug="home", content_type=homepage_type,
        path="00010001", depth=2, numchild=0, url_path="/home/", intro=INTRO, locale_id=locale.pk if locale else None,
    )
    Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "site_name": "明鉴"})


def remove_homepage(apps, schema_editor):
    apps.get_model("core.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
