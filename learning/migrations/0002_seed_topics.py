from django.db import migrations

TOPICS = ["权力观", "政绩观", "监督观", "民主集中制", "党的纪律"]


def seed(apps, schema_editor):
    Topic = apps.get_model("learning", "Topic")
    for order, name in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
