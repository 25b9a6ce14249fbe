from dashboard import i18n, periods
from data import vocab


def test_every_specialty_and_period_has_both_languages():
    for specialty in vocab.SPECIALTIES:
        assert i18n.specialty_label(specialty, "zh") != i18n.specialty_label(specialty, "en")
    for preset in periods.PRESETS:
        assert i18n.t(periods.i18n_key(preset), "zh") and i18n.t(periods.i18n_key(preset), "en")


def test_chinese_is_the_default():
    assert i18n.normalise_language(None) == "zh"
    assert i18n.normalise_language("fr") == "zh"
    assert i18n.t("app_title", "zh") == "智慧卫监"


def test_every_monitoring_term_has_both_languages():
    from data.monitoring import limits, rules

    keys = [f"scene_{s}" for s in vocab.SCENES]
    keys += [f"indicator_{row['indicator']}" for row in limits.seed_rows()]
    keys += [f"rule_{r}" for r in rules.KEYS] + [f"status_{s}" for s in vocab.ALERT_STATUSES]
    keys += [f"severity_{s}" for s in vocab.ALERT_SEVERITIES] + [f"level_{s}" for s in vocab.ALERT_LEVELS]
    for key in keys:
        assert i18n.t(key, "zh") and i18n.t(key, "en"), key


def test_every_type_on_the_manager_page_has_both_languages():
    from data.demo import catalog

    keys = [f"inspection_kind_{k}" for k in vocab.INSPECTION_KINDS] + [f"penalty_kind_{k}" for k in vocab.PENALTY_KINDS]
    keys += [f"subtype_{s.key}" for s in catalog.SUBTYPES] + [f"result_{r}" for r in vocab.INSPECTION_RESULTS]
    for key in keys:
        assert i18n.t(key, "zh") != i18n.t(key, "en"), key
    assert i18n.label("subtype_imported_kind", "zh", "imported_kind") == "imported_kind"


def test_every_refusal_has_both_wordings_with_the_same_values():
    """A refusal raised in data/ is said in the viewer's language; both wordings must format from one set of values."""
    import string

    from data.refusals import TEXTS

    for key, (zh, en) in TEXTS.items():
        zh_fields = {f for _, f, _, _ in string.Formatter().parse(zh) if f}
        en_fields = {f.split("!")[0] for _, f, _, _ in string.Formatter().parse(en) if f}
        assert zh.strip() and en.strip(), key
        assert zh_fields <= en_fields | {"case", "case_kind"}, (key, zh_fields - en_fields)


def test_every_import_kind_has_a_name_on_the_import_page():
    """A kind registered by any feature (data/imports/commands.py) is offered on /import under its own name."""
    from dashboard.pages import import_page

    for lang in ("zh", "en"):
        assert len(import_page.kind_options(lang)) == len(import_page.KINDS)


def _fields(template: str) -> set[str]:
    """The value names a wording formats ("reason[zh]" and "value!r" count as reason and value)."""
    import re
    import string

    return {re.split(r"[.\[!]", f)[0] for _, f, _, _ in string.Formatter().parse(template) if f}


def _reason_keys_in(path, call: str, position: int) -> set[str]:
    """The string literals passed as argument `position` of every call of `call` (a name or an attribute) in a file."""
    import ast

    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == call:
            if len(node.args) > position and isinstance(node.args[position], ast.Constant):
                keys.add(node.args[position].value)
    return keys


def test_every_import_reason_has_both_languages_and_a_category():
    """Each reason the importers give (data/imports/reasons.py, the ingest's included) is worded in Chinese and in
    English from one set of values, and its category has a name on the import page; and every reason key the
    importers and the ingest use is one of them (read from their source, so a new rule cannot go unworded)."""
    from pathlib import Path

    from data.imports import reasons
    from data.monitoring import ingest

    for key, (category, zh, en) in reasons.TEXTS.items():
        assert zh.strip() and en.strip() and zh != en, key
        assert _fields(zh) == _fields(en), (key, _fields(zh) ^ _fields(en))
        values = {name: ({"zh": "原因", "en": "reason"} if name == "reason" else "x") for name in _fields(en)}
        chinese, english = reasons.text(key, values, "x", "zh"), reasons.text(key, values, "x", "en")
        assert any("\u4e00" <= c <= "\u9fff" for c in chinese) and chinese != english, key
        assert i18n.t(f"import_code_{category}", "zh") != i18n.t(f"import_code_{category}", "en"), category
    root = Path(__file__).resolve().parents[1] / "data"
    used = _reason_keys_in(root / "imports" / "commands.py", "add", 3)
    assert used and used <= set(reasons.OWN), used - set(reasons.OWN)
    rejected = _reason_keys_in(root / "monitoring" / "ingest.py", "Rejection", 2)
    rejected |= _reason_keys_in(root / "monitoring" / "ingest.py", "_BadTime", 0)
    assert rejected == set(ingest.REASONS), rejected ^ set(ingest.REASONS)


def test_every_shipped_profile_words_its_notices_in_both_languages():
    from data.imports import profile

    notices = [n for name in profile.available() for spec in profile.load(name).kinds.values() for n in spec.notices]
    assert notices and all(n["reason"]["zh"] != n["reason"]["en"] for n in notices)
    assert all(i18n.t(f"import_code_{n['code']}", "zh") for n in notices)
