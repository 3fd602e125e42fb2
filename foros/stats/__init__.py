"""Statistics and open data: attendance figures per event and across events, charts, the state map, and the
anonymised figures organizers publish."""
