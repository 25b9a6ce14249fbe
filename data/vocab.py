"""Controlled vocabularies of the domain (DESIGN.md glossary): identifiers stored in the database.

The interface translates them (dashboard/i18n.py); the database enforces them with CHECK constraints.
"""

from __future__ import annotations

SPECIALTIES: tuple[str, ...] = (
    "public_place",  # 公共场所
    "drinking_water",  # 生活饮用水
    "medical",  # 医疗卫生
    "occupational",  # 职业卫生
    "radiation",  # 放射卫生
    "school",  # 学校卫生
    "infectious",  # 传染病防治
    "disinfection",  # 消毒产品
)

GRADES: tuple[str, ...] = ("A", "B", "C")  # 量化分级; None = not graded
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "very_high")
# How an entity keeps up its self-inspection (依法执业自查): data/self_inspection.py rates it.
SELF_INSPECTION_RATINGS: tuple[str, ...] = ("good", "poor", "missing")
# The risk model's parameters (data/risk/parameters.csv): feature points, level thresholds, ledger terms.
RISK_PARAMETER_KINDS: tuple[str, ...] = ("feature", "threshold", "ledger")
# The credit criteria (data/credit/criteria.csv): the full marks, a deduction per indicator, a grade's lowest score.
CREDIT_CRITERION_KINDS: tuple[str, ...] = ("base", "deduction", "grade")
# 风险台账: an entry is open until it is settled (销账) on a follow-up inspection.
LEDGER_STATUSES: tuple[str, ...] = ("open", "closed")
LEDGER_LEVELS: tuple[str, ...] = ("high", "very_high")  # the levels that enter the ledger

INSPECTION_KINDS: tuple[str, ...] = ("routine", "random_draw", "campaign", "complaint")
INSPECTION_RESULTS: tuple[str, ...] = ("compliant", "non_compliant")

PENALTY_KINDS: tuple[str, ...] = ("warning", "fine", "suspension", "revocation")
# 立案 → 调查 → 审理 → 决定 → 执行 → 结案
PENALTY_STATUSES: tuple[str, ...] = ("filed", "investigating", "reviewing", "decided", "executing", "closed")

# 12345 / 12320 hotlines, web, letter, walk-in
COMPLAINT_CHANNELS: tuple[str, ...] = ("hotline_12345", "hotline_12320", "web", "letter", "visit")
# 受理 → 转办 → 办理 → 反馈 → 办结
COMPLAINT_STATUSES: tuple[str, ...] = ("received", "assigned", "handling", "feedback", "closed")

SCENES: tuple[str, ...] = (
    "water_plant",  # 生活饮用水 出厂水
    "water_tap",  # 生活饮用水 末梢水
    "swimming_pool",  # 游泳场所
    "public_air",  # 公共场所 室内空气
    "medical_waste",  # 医疗废物暂存
    "xray_room",  # 放射诊疗 X 射线机房
    "occupational_dust",  # 职业病危害 粉尘
    "hospital_ops",  # 医院运行：门急诊、住院、手术、检查、发热门诊人次（日或时计数）
    "duty_checkin",  # 主诊医师到岗打卡（防挂证）
)

# The specialty whose supervision a monitoring scene serves (for rollups by specialty).
SCENE_SPECIALTY: dict[str, str] = {
    "water_plant": "drinking_water",
    "water_tap": "drinking_water",
    "swimming_pool": "public_place",
    "public_air": "public_place",
    "medical_waste": "medical",
    "xray_room": "radiation",
    "occupational_dust": "occupational",
    "hospital_ops": "medical",
    "duty_checkin": "medical",
}

# 待处置 → 已派发 → 已处置 → 已复核 → 已办结, or 已排除 (a false alarm, with the reason)
ALERT_STATUSES: tuple[str, ...] = ("open", "dispatched", "handled", "reviewed", "closed", "dismissed")
ALERT_UNCLOSED: tuple[str, ...] = ("open", "dispatched", "handled", "reviewed")
ALERT_SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
# The administrative level that must act on an alert: it moves up when the alert is overdue.
ALERT_LEVELS: tuple[str, ...] = ("county", "city", "province")

# 三员分立: the system administrator manages accounts, the security administrator the security policy
# and display tokens, the auditor reads the audit log; none of the three reads supervision data, and
# none can do another's job. The others read (and officers act on) the data of their home region.
ADMIN_ROLES: tuple[str, ...] = ("sysadmin", "secadmin", "auditor")
DATA_ROLES: tuple[str, ...] = ("province_manager", "city_manager", "county_manager", "county_officer", "display")
ROLES: tuple[str, ...] = ADMIN_ROLES + DATA_ROLES

# 一人一档: the practitioners of medical institutions (医师法, 护士条例).
PRACTITIONER_KINDS: tuple[str, ...] = ("doctor", "nurse")
# 执业类别 of a doctor's registration (医师执业注册管理办法): 临床, 中医, 口腔, 公共卫生. Nurses have none.
PRACTICE_CATEGORIES: tuple[str, ...] = ("clinical", "tcm", "dental", "public_health")
# 诊疗科目 a prescription is written in (the institution's licence lists the ones it may practise).
DEPARTMENTS: tuple[str, ...] = ("internal", "surgery", "paediatrics", "obstetrics", "emergency", "pain", "tcm",
                                "dental", "preventive")
# Drug classes with their own prescribing rules: 普通, 麻醉药品, 第一类精神药品, 第二类精神药品.
DRUG_CLASSES: tuple[str, ...] = ("ordinary", "narcotic", "psych1", "psych2")
DOSAGE_FORMS: tuple[str, ...] = ("injection", "controlled_release", "other")  # 注射剂, 控缓释制剂, 其他剂型
# Who the prescription is for: 门诊, 急诊, 门(急)诊癌痛/中重度慢性疼痛 (第二十四条), 住院 (第二十五条).
RX_SETTINGS: tuple[str, ...] = ("outpatient", "emergency", "pain", "inpatient")
# The prescribing rights a doctor holds (处方权; 麻醉药品和第一类精神药品处方资格).
RX_RIGHTS: tuple[str, ...] = ("rx_ordinary", "rx_narcotic")
# The prescription checks (data/prescriptions/checks.py), also the alert rule keys.
RX_RULES: tuple[str, ...] = ("rx_no_right", "rx_outside_category", "rx_outside_licence", "rx_over_days",
                             "rx_not_registered")

# 医疗机构五维监管 (data/hospitals/): the five dimensions a medical institution is watched on, in display order:
# 绩效考核, 医疗服务行为, 监督执法跟踪, 质量综合管理, 机构日常运行.
INSTITUTION_DIMENSIONS: tuple[str, ...] = ("performance", "service", "enforcement", "quality", "operation")
# The overall status from the dimension scores (thresholds are data: data/hospitals/indicators.csv).
INSTITUTION_STATUSES: tuple[str, ...] = ("normal", "attention", "warning")
# Rows of the indicator set: an indicator's deduction, or the score below which a status begins.
INSTITUTION_INDICATOR_KINDS: tuple[str, ...] = ("indicator", "threshold")
