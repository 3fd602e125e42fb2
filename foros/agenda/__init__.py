"""Agenda and panels: sessions, rooms, people on sessions, released programme versions."""
