"""Prescription checks (处方点评): rules as data, vectorised evaluation, ingest into alerts."""
