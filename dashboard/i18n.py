"""Interface strings: Chinese by default, English as a switch (?lang=en)."""

from __future__ import annotations

LANGUAGES = ("zh", "en")

_STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("智慧卫监", "Smart Health Supervision"),
    "manager_title": ("监督检查一张图", "Supervision map"),
    "period": ("时间范围", "Period"),
    "specialty": ("专业类别", "Specialty"),
    "all_specialties": ("全部专业", "All specialties"),
    "last_3_months": ("近3个月", "Last 3 months"),
    "last_12_months": ("近12个月", "Last 12 months"),
    "last_24_months": ("近24个月", "Last 24 months"),
    "this_year": ("今年", "This year"),
    "last_year": ("去年", "Last year"),
    "custom_period": ("自定义", "Custom"),
    "inspections": ("检查次数", "Inspections"),
    "non_compliant": ("不合格次数", "Non-compliant"),
    "rate": ("不合格率", "Non-compliance rate"),
    "entities": ("监管对象", "Entities"),
    "ranking_children": ("下级区域不合格检查排名", "Non-compliant inspections by sub-region"),
    "ranking_entities": ("监管对象不合格检查排名", "Non-compliant inspections by entity"),
    "map_title_regions": ("不合格检查分布", "Non-compliant inspections"),
    "map_title_points": ("监管对象分布", "Supervised entities"),
    "computed_at": ("数据计算于", "Computed at"),
    "no_data": ("所选条件下暂无数据", "No data for these filters"),
    "click_to_drill": ("点击地图或柱状图下钻", "Click the map or a bar to drill down"),
    "language_switch": ("English", "中文"),
    "grade": ("量化分级", "Grade"),
    "ungraded": ("未评级", "Not graded"),
    "out_of_scope": ("无权查看该区域", "You may not view this region"),
    "unknown_region": ("未知的行政区划代码", "Unknown region code"),
    "bad_period": ("时间范围格式错误", "Invalid period"),
    "address": ("地址", "Address"),
    "class_non_compliant": ("有不合格", "Non-compliant"),
    "class_compliant": ("检查合格", "Compliant"),
    "class_not_inspected": ("期内未检查", "Not inspected"),
    "inspection": ("监督检查", "Inspections"),
    "complaint": ("投诉举报", "Complaints"),
    "layer": ("图层", "Layer"),
    "complaints": ("投诉举报数", "Complaints"),
    "complaints_open": ("未办结", "Open"),
    "per_1000_entities": ("每千户投诉", "Per 1,000 entities"),
    "spot_hot": ("热点", "Hot spot"),
    "spot_cold": ("冷点", "Cold spot"),
    "ranking_complaints": ("下级区域投诉举报排名", "Complaints by sub-region"),
    "ranking_categories": ("投诉类别排名", "Complaints by category"),
    "map_title_complaints": ("投诉举报分布与热点（Gi*）", "Complaints and hot spots (Gi*)"),
    "map_title_complaint_hexagons": ("投诉举报六边形聚合与热点（Gi*）", "Complaints in hexagons, hot spots (Gi*)"),
    "subtype": ("类型", "Type"),
}

_SPECIALTY_LABELS: dict[str, tuple[str, str]] = {
    "public_place": ("公共场所", "Public places"),
    "drinking_water": ("生活饮用水", "Drinking water"),
    "medical": ("医疗卫生", "Medical"),
    "occupational": ("职业卫生", "Occupational health"),
    "radiation": ("放射卫生", "Radiation"),
    "school": ("学校卫生", "Schools"),
    "infectious": ("传染病防治", "Infectious disease"),
    "disinfection": ("消毒产品", "Disinfection products"),
}


def normalise_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else "zh"


def t(key: str, lang: str) -> str:
    zh, en = _STRINGS[key]
    return en if lang == "en" else zh


def specialty_label(key: str, lang: str) -> str:
    zh, en = _SPECIALTY_LABELS[key]
    return en if lang == "en" else zh
