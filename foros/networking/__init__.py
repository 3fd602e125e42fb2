"""Networking conclusions (issue 14): tables, capture from a phone, consolidation, publication, state agenda."""
