"""Why an import refuses a row (or notes one), worded in both interface languages.

As with the refusals of case steps (data/refusals.py): the rule lives in data/imports/commands.py, but the
person reading the validation report on /import reads it in Chinese (or English), so a problem carries a key
and its values, not a finished sentence, and the page and its XLSX report word it in the viewer's language.
The CLI prints the English. Each wording also fixes the problem's category (the `code` the report counts by
and tests assert on), so a reason and its category cannot drift apart. Every wording may use `{value}`, the
cell as the file has it; the other values are the problem's `params`.

Readings are refused by the ingest too (data/monitoring/ingest.py, whose wordings stay beside its rules);
they are listed here under `ingest_` + its key, all in the category rejected_by_ingest. A profile's notice
(`notices:` in the YAML) is worded by the profile itself: one text for both languages, or {zh: …, en: …}.
"""

from __future__ import annotations

from data.monitoring import ingest

# key: (category, Chinese, English)
OWN: dict[str, tuple[str, str, str]] = {
    "empty": ("missing", "为空", "empty"),
    "empty_key": ("missing", "自然键为空", "empty natural key"),
    "no_score": ("missing", "没有分数，无法按映射配置的 result_scale 得出结论",
                 "no score to derive the result from (the profile's result_scale)"),
    "fine_without_amount": ("missing", "罚款须填写金额", "a fine needs an amount"),
    "decided_without_date": ("missing", "已作出决定的审查须填写决定日期", "a decided review needs its decision date"),
    "decided_without_date_column": ("missing", "已作出决定的审查须填写决定日期（请在映射配置中映射 decided_on）",
                                    "a decided review needs its decision date (map decided_on)"),
    "completed_without_day": ("missing", "已完成的自查须填写提交日期",
                              "a completed self-inspection needs the day it was submitted"),
    "missing_value": ("missing_value", "缺测值", "missing value"),
    "unknown_code": ("unknown_code", "未知代码“{value}”（映射配置的代码表中没有）",
                     "unknown code {value!r} (not in the profile's code map)"),
    "unknown_device_code": ("unknown_code", "未知代码“{value}”（映射配置的设备代码表中没有）",
                            "unknown code {value!r} (not in the profile's device codes)"),
    "not_a_date": ("bad_date", "不是映射配置所列格式的日期（{formats}）", "not a date in the profile's formats ({formats})"),
    "not_a_time_in_formats": ("bad_date", "不是映射配置所列格式的时间（{formats}）",
                              "not a time in the profile's formats ({formats})"),
    "not_a_time": ("bad_date", "不是时间", "not a time"),
    "future_date": ("bad_date", "日期在未来", "in the future"),
    "closed_before_received": ("bad_date", "办结时间早于受理时间", "closed before it was received"),
    "placeholder_date": ("placeholder_date", "占位日期（来源系统表示“尚无”，不是真实日期）",
                         "placeholder date (the source's 'not yet', not a real day)"),
    "not_a_number": ("bad_number", "不是数值", "not a number"),
    "not_whole": ("bad_number", "不是大于或等于 0 的整数", "not a whole number ≥ 0"),
    "negative_amount": ("bad_number", "金额为负", "a negative amount"),
    "fine_not_positive": ("bad_number", "罚款金额须大于 0", "a fine needs an amount above 0"),
    "bad_interval": ("bad_number", "上报间隔须为大于 0 的整秒数", "an interval is a whole number of seconds above 0"),
    "key_too_long": ("bad_key", "加上前缀“{prefix}”后超过 {max_length} 个字符",
                     "key with prefix {prefix!r} is longer than {max_length} characters"),
    "too_long": ("bad_key", "超过 {max_length} 个字符", "longer than {max_length} characters"),
    "bad_credit_code": ("bad_credit_code", "不是有效的统一社会信用代码（GB 32100）", "not a valid 统一社会信用代码 (GB 32100)"),
    "bad_period": ("bad_period", "不是有效期间：应为年份（2025）、半年（2025-H1）或季度（2025-Q3）",
                   "not a period: a year (2025), a half (2025-H1) or a quarter (2025-Q3)"),
    "no_coordinates": ("no_coordinates", "缺少坐标", "no coordinates"),
    "zero_coordinates": ("zero_coordinates", "0,0 是占位值，不是实际位置", "0,0 is a placeholder, not a place"),
    "coordinates_out_of_range": ("bad_coordinates", "按 {crs} 解读后超出经度 -180..180、纬度 -90..90，不是实际位置",
                                 "not a place: outside -180..180 / -90..90 once read as {crs}"),
    "not_a_place": ("bad_coordinates", "按 {crs} 解读后不是实际位置", "not a place once read as {crs}"),
    "outside_region": ("outside_region", "不在本系统辖区（{region}）内", "outside the configured region {region}"),
    "outside_scope": ("outside_scope", "不在您的管辖范围内", "outside your scope"),
    "entity_outside_scope": ("outside_scope", "该监管对象不在您的管辖范围内", "the entity is outside your scope"),
    "device_outside_scope": ("outside_scope", "该设备不在您的管辖范围内", "the device is outside your scope"),
    "stored_outside_scope": ("outside_scope", "已有同一编号的记录存于您的管辖范围之外",
                             "a record with this key is stored outside your scope"),
    "duplicate_key": ("duplicate_key", "自然键在文件中出现不止一次", "natural key appears more than once in the file"),
    "record_refused": ("record_refused", "同一记录的另一行被拒收", "another row of the same record was refused"),
    "unknown_entity": ("unknown_entity", "没有使用此编号的已存监管对象（请先导入监管对象）",
                       "no stored entity has this key (import the entities first)"),
    "unknown_device": ("unknown_device", "没有使用此编号的已存设备", "no stored device has this id"),
    "grade_contradicts_score": ("grade_contradicts_score", "等级与按映射配置 grade_scale 由分数得出的等级不符",
                                "grade contradicts the score by the profile's grade_scale"),
    "rectified_over_findings": ("rectified_over_findings", "整改数多于发现问题数", "more rectified than found"),
    "pending_with_decision": ("inconsistent", "审查尚未作出决定，不应有决定日期", "a pending review has no decision date yet"),
    "decided_before_applied": ("inconsistent", "决定日期早于申请日期", "decided before it was applied for"),
    "profile_notice": ("notice", "{reason[zh]}", "{reason[en]}"),  # its category is the profile's `code`
}
INGEST_CATEGORY = "rejected_by_ingest"
TEXTS: dict[str, tuple[str, str, str]] = {
    **OWN, **{f"ingest_{key}": (INGEST_CATEGORY, zh, en) for key, (zh, en) in ingest.REASONS.items()}}


def category(key: str) -> str:
    """The category (problem code) of a reason; KeyError for a reason that has no wording here."""
    return TEXTS[key][0]


def text(key: str, params: dict, value: str, lang: str) -> str:
    """The reason in `lang` (zh unless en), with the problem's values and the cell's `value`."""
    _category, zh, en = TEXTS[key]
    return (en if lang == "en" else zh).format(**{"value": value, **params})
