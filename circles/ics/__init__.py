"""Calendar invites (.ics): pure builders on the icalendar library; no database, no textual."""
