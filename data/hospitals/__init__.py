"""医疗机构五维监管: five dimension scores and an overall status per medical institution, from indicators as data."""
