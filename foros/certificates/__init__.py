"""Certificates of participation ("constancias"): template per event, issuing, PDF, public verification."""
