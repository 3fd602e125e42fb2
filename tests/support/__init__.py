"""Helpers shared by tests that need more than the test client (a real multi-process server)."""
