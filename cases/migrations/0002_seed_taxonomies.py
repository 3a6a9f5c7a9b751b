"""Seed the case taxonomies with the lists of the seed essay (DOMAIN.md); editors extend them later."""

from django.db import migrations

SECTORS = ["党政机关", "乡镇街道", "交通", "国土资源", "教育", "医疗卫生", "国有企业", "金融", "政法", "工程建设", "招商引资"]
# DOMAIN.md lists six; the essay's second example of execution gaps (assets moved to relatives
# and undeclared personal matters found only once a case is opened) is kept as a seventh.
SUPERVISION_FAILURES = [
    "上级监督不到位", "同级监督弱化", "下级不敢监督", "自身不愿接受监督", "思想认知问题", "执行操作漏洞",
    "事后管控滞后",
]
COUNTERMEASURES = [
    "注重提醒防范", "强化权力监督", "做实办事公开", "完善监督机制", "强化分权制衡", "提升思想认识", "强化制度执行",
    "落实同级监督",
]
VIOLATION_TYPES = [
    "违反中央八项规定精神", "受贿", "贪污", "挪用公款", "滥用职权", "玩忽职守", "违规选人用人", "违规决策（三重一大）",
    "利用职务便利为亲属谋利", "隐瞒不报个人有关事项",
]
SEED = {
    "Sector": SECTORS,
    "SupervisionFailure": SUPERVISION_FAILURES,
    "Countermeasure": COUNTERMEASURES,
    "ViolationType": VIOLATION_TYPES,
}


def seed(apps, schema_editor):
    for model_name, names in SEED.items():
        model = apps.get_model("cases", model_name)
        for order, name in enumerate(names, start=1):
            model.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


def unseed(apps, schema_editor):
    for model_name, names in SEED.items():
        apps.get_model("cases", model_name).objects.filter(name__in=names, cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
