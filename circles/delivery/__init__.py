"""Getting invites to people: settings, e-mail (iTIP), replies coming back, and a shared CalDAV calendar.

Nothing here imports textual; what talks to the store lives in circles/services (delivery, replies,
caldav_publish), and what talks to servers lives here.
"""
