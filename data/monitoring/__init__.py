"""Online monitoring (在线监测): limits and rules as data, reading ingest, rule evaluation, the alert lifecycle."""
