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

# ---------------------------------------------------------------- Word import (cases/docx_import.py)

# The standard case sections (cases/blocks.py SECTIONS keys) and the headings that name them in the
# documents editors receive (通报, 忏悔录 excerpts, 以案促改 reports). A heading names a section when,
# with its numbering ("一、", "（二）", "3.") and a trailing colon removed, it equals one of these words
# or begins with one. One place for all of them: add a variant here and both import and tests see it.
SECTION_HEADINGS = {
    "facts": [
        "基本案情",
        "案情简介",
        "案情介绍",
        "案情概述",
        "案件概况",
        "基本情况",
        "案例简介",
        "案例介绍",
        "案例概况",
        "案情回顾",
        "简要案情",
        "案件经过",
    ],
    "problems": [
        "主要问题",
        "违纪违法事实",
        "违纪事实",
        "违法事实",
        "主要违纪违法事实",
        "违纪违法问题",
        "存在问题",
        "问题表现",
        "主要错误事实",
    ],
    "causes": [
        "原因剖析",
        "原因分析",
        "案例评析",
        "案例分析",
        "案件剖析",
        "案发原因",
        "问题根源",
        "深层次原因",
        "剖析",
    ],
    "lessons": ["警示启示", "深刻教训", "警示教育", "案件警示", "教训启示", "启示", "警示", "教训", "反思"],
    "countermeasures": ["对策建议", "整改措施", "以案促改", "防范措施", "整改建议", "工作建议", "治理措施", "对策"],
    "rules": ["相关规定", "相关法规", "法规依据", "处分依据", "法律依据", "党纪法规", "依据条款", "相关条款"],
}

# Names of taxonomy terms → other words that point to them in case text. A term is suggested when its
# name or one of these words occurs in the document; terms editors add later are matched by name.
TAXONOMY_SYNONYMS = {
    "sector": {
        "党政机关": ["机关单位", "党委办公室", "政府办公室"],
        "乡镇街道": ["乡镇", "街道办", "村委会", "村党支部", "村干部"],
        "交通": ["交通运输", "公路", "交通局"],
        "国土资源": ["自然资源", "国土局", "土地出让", "矿产资源"],
        "教育": ["学校", "教育局", "校长"],
        "医疗卫生": ["医院", "卫生健康", "卫健委", "医保"],
        "国有企业": ["国企", "集团公司", "国有公司"],
        "金融": ["银行", "信贷", "保险公司", "证券"],
        "政法": ["公安局", "法院", "检察院", "司法局", "派出所"],
        "工程建设": ["工程项目", "招投标", "建设工程", "施工单位"],
        "招商引资": ["招商", "引资项目", "投资促进"],
    },
    "violation_types": {
        "违反中央八项规定精神": ["八项规定", "公款吃喝", "违规收受礼品礼金", "公款旅游", "违规发放津补贴"],
        "受贿": ["受贿罪", "收受贿赂", "索取贿赂", "索贿", "收受他人财物"],
        "贪污": ["贪污罪", "侵吞", "骗取公款", "套取资金", "虚报冒领"],
        "挪用公款": ["挪用公款罪", "挪用资金"],
        "滥用职权": ["滥用职权罪", "违规审批"],
        "玩忽职守": ["玩忽职守罪", "失职渎职", "严重不负责任"],
        "违规选人用人": ["违规提拔", "买官卖官", "跑官要官"],
        "违规决策（三重一大）": ["三重一大", "个人说了算", "违规决策"],
        "利用职务便利为亲属谋利": ["为亲属谋利", "为其亲属谋取利益", "特定关系人"],
        "隐瞒不报个人有关事项": ["个人有关事项", "隐瞒不报", "不如实报告"],
    },
    "supervision_failures": {
        "上级监督不到位": ["上级监督太远", "上级监督缺位"],
        "同级监督弱化": ["同级监督太软", "班子成员不敢监督"],
        "下级不敢监督": ["下级监督太难", "下属不敢提意见"],
        "自身不愿接受监督": ["不愿接受监督", "拒绝监督", "凌驾于组织之上"],
        "思想认知问题": ["理想信念动摇", "理想信念缺失", "思想防线失守", "宗旨意识淡薄"],
        "执行操作漏洞": ["制度执行不力", "制度形同虚设", "监管漏洞"],
        "事后管控滞后": ["事后监督", "查处滞后", "长期未被发现"],
    },
}

# Words in case text that name a rank (accounts.roles.Rank values), to suggest 当事人职级.
RANK_WORDS = {
    50: ["省部级", "副省级", "正省级", "部级"],
    40: ["厅局级", "副厅级", "正厅级", "厅级"],
    30: ["县处级", "副处级", "正处级", "处级", "县长", "县委书记"],
    20: ["乡科级", "副科级", "正科级", "科级", "乡镇党委书记", "镇长", "乡长"],
}
