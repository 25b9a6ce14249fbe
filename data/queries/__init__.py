"""Query functions: the only code that reads supervision data. One module per subject.

Each takes a Store, Filters and a Scope and returns a DataFrame whose `attrs["computed_at"]` says
when it was computed. Scope is checked before anything runs and applied again in the SQL.
"""
