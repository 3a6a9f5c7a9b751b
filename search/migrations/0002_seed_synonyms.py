from django.db import migrations

# The synonym groups every deployment starts with; editors extend them in the admin.
SEED = [
    ("一把手、主要负责人、党政正职、主要领导", "单位主要负责人的几种说法"),
    ("三重一大、重大事项决策", "“三重一大”决策制度"),
    ("中央八项规定、八项规定", "中央八项规定及其实施细则"),
    ("以案促改、以案为鉴", "以案促改"),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("mingjian_search", "Synonym")
    for terms, note in SEED:
        if not Synonym.objects.filter(terms=terms).exists():
            Synonym.objects.create(terms=terms, note=note)


def unseed(apps, schema_editor):
    Synonym = apps.get_model("mingjian_search", "Synonym")
    Synonym.objects.filter(terms__in=[terms for terms, _ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("mingjian_search", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
