"""Attendance: lists of who registered and who came, exported as CSV, XLSX and the signed PDF list."""
