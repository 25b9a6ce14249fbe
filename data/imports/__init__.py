"""File imports: CSV / gzipped CSV / XLSX files from other systems, mapped by a YAML profile, validated, then written.

`profile.load(name_or_path)` reads a mapping profile; `commands.command(kind, path, profile, ...)` gives an
ImportEntities / ImportInspections / ImportReadings whose `.validate()` returns every problem at once and
whose `.run()` writes the valid rows in one transaction (see data/imports/commands.py for the choices).
"""
