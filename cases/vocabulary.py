"""Words of the case taxonomy that other code offers as fixed choices (no Django imports: scripts use them
before Django is set up). The taxonomy itself is editable snippets, seeded with these words by
migration 0002, which keeps its own copy as migrations must."""

# 领域: courses may be written for these sectors, cases are filed under them.
SECTORS = [
    "党政机关",
    "乡镇街道",
    "交通",
    "国土资源",
    "教育",
    "医疗卫生",
    "国有企业",
    "金融",
    "政法",
    "工程建设",
    "招商引资",
]
