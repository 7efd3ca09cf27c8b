"""iCalendar export of theses (`pmtool thesis calendar`), with the icalendar library.

All-day events with stable UIDs (``thesis-3-milestone-7@pmtool``): importing the file
again into Outlook or Thunderbird updates the events instead of adding copies, and the
SEQUENCE (the record's row version) tells the client which copy is newer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pmtool.core import clock
from pmtool.storage.reader import Row


def build_calendar(events: Sequence[Row], name: str = "pmtool theses") -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//pmtool//thesis calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = clock.utcnow()
    for entry in events:
        event = Event()
        event.add("uid", entry["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", entry["day"])
        event.add("dtend", entry["day"] + timedelta(days=1))  # all-day: the end is exclusive
        event.add("summary", entry["summary"])
        event.add("description", entry["description"])
        event.add("sequence", int(entry["sequence"]))
        event.add("categories", [entry["category"]])
        event.add("transp", "TRANSPARENT")  # a due date, not a busy slot
        calendar.add_component(event)
    return bytes(calendar.to_ical())
