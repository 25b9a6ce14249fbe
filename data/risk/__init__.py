"""Supervision intelligence: the risk model (parameters as data, features, points), scoring runs, the ledger, the back-test."""
