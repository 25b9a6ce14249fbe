"""Refusals of case steps (monitoring alerts, complaints, the risk ledger), worded in both interface languages.

The rule that refuses a step lives in data/, but the person refused reads the page in Chinese (or English):
so a refusal carries a key and its values, not a finished sentence, and each interface says it in the
viewer's language. The two wordings sit together here so a rule and its wording change together.
`str()` is the English text, for the CLI, logs and tests. Status and action codes are left out of the
Chinese wording: the page already shows the case's status in words, and a code would only confuse.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "unknown_action": ("未知操作", "unknown action {action!r} (one of {allowed})"),
    "no_active_officer": ("没有工号为 {badge} 的在岗人员", "no active officer with badge {badge!r}"),
    "wrong_status": ("{case}当前的状态不允许这一步（可能已被他人处理，请刷新）",
                     "{case_en} is {status}: cannot {action} (only from {allowed})"),
    "needs_assignee": ("请选择转办给哪位人员", "{action} needs the officer to pass it to"),
    "assignee_elsewhere": ("人员 {badge} 不属于该{case_kind}所在区域", "officer {badge} is not of the {case_kind_en}'s region"),
    "assigned_to_other": ("{case}已交由其他人员办理", "{case_en} is assigned to someone else"),
    "needs_note": ("这一步需要填写说明：做了什么或为什么", "{action} needs a note saying what was done or why"),
    "needs_finding": ("反馈时须写明核查情况和处理结果", "the report back needs a note saying what was found and done"),
    "needs_substantiated": ("反馈时须选择投诉是否属实", "the report back must say whether the complaint was substantiated"),
    "handler_cannot_close": ("办理人不能复核或办结自己办理的{case_kind}（须由他人完成）",
                             "the officer who handled {a_case_en} cannot {action} it"),
    "closed_no_extension": ("投诉 {id} 已办结，不能延期", "complaint {id} is closed: nothing to extend"),
    "extended_once": ("投诉 {id} 已延期过一次（规定只允许延期一次）",
                      "complaint {id} was extended once already (the regulation allows one)"),
    "extension_needs_reason": ("延期须写明情况复杂的原因", "an extension needs the reason (情况复杂的原因)"),
    "ledger_closed": ("台账条目 {id} 已销账", "ledger entry {id} is already closed"),
    "ledger_officer_elsewhere": ("台账条目 {id}：人员 {badge} 不是该单位所在区域的在岗监督员",
                                 "ledger entry {id}: officer {badge!r} is not an active inspector of the entity's region"),
    "ledger_due_before_entry": ("台账条目 {id}：完成期限 {due_on} 早于列入日期 {entered_on}",
                                "ledger entry {id}: due date {due_on} is before the entry ({entered_on})"),
    "ledger_measure_empty": ("台账条目 {id}：请填写整改措施", "ledger entry {id}: a measure needs a description"),
    "ledger_no_follow_up": ("台账条目 {id}：销账需要 {entered_on} 及以后的一次复查记录，目前没有",
                            "ledger entry {id}: no follow-up inspection of entity {entity_id} dated on or after "
                            "{entered_on}; close-out (销账) needs one"),
}

CASE_WORDS = {"alert": ("预警", "alert", "an alert"), "complaint": ("投诉", "complaint", "a complaint")}


class Refusal(ValueError):
    """A step the rules do not allow; nothing was changed. `key` names the wording in TEXTS."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        zh, en = TEXTS[self.key]
        return (en if lang == "en" else zh).format(**self.params)


def case_params(kind: str, case_id: int) -> dict:
    """The wording's values naming one case ("预警 12" / "alert 12") in both languages."""
    zh, en, a_en = CASE_WORDS[kind]
    return {"case": f"{zh} {case_id} ", "case_en": f"{en} {case_id}", "case_kind": zh, "case_kind_en": en,
            "a_case_en": a_en}
