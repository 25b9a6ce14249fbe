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
