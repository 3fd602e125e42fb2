"""Registration: public sign-up, capacity and waitlist, signed tickets, organizer lists and imports."""
