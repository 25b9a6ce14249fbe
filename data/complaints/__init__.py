"""Complaint handling (投诉举报办理): stage deadlines as data, the workflow steps, repeat detection."""
