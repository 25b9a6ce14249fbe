"""The effectiveness index (监管效能评估) of each region: indicators as data (indicators.py), computation (score.py)."""
