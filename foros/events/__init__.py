"""Events: regional forums, Jornadas, declaration signings — and their public pages."""
