"""How long a field may be: one table read by the forms (``Length``), the API schemas (``validate.Length``) and
the services, so that a limit changed here changes everywhere at once."""

#: Field name → maximum length in characters.
MAX_LENGTH = {
    "person_name": 200,
    "email": 254,  # RFC 5321's path limit
    "phone": 40,
    "organization": 200,
    "position": 200,
    "accessibility": 1000,
    "municipality_text": 120,  # what people type in the municipality field (a name); stored as its key
    "municipality_key": 5,  # INEGI key or «otra»
    "sector_key": 40,
    "list_name": 120,
    "list_slug": 60,
    "search": 100,
    "password": 200,
}
