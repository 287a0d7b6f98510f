// Reads an .ics file with ical.js (the parser of Thunderbird and Nextcloud) and prints
// every occurrence as JSON: recurring events are expanded, overrides applied.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));
// ical.js only knows the zones a file registers: this is what makes it read our VTIMEZONE.
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}
const events = root.getAllSubcomponents("vevent").map((c) => new ICAL.Event(c));
const masters = new Map();
const out = [];
for (const ev of events) {
  if (ev.isRecurrenceException()) continue;
  masters.set(ev.uid, ev);
}
for (const ev of events) {
  if (ev.isRecurrenceException()) {
    const master = masters.get(ev.uid);
    if (master) master.relateException(ev);
    else out.push(describe(ev, ev.startDate, ev.endDate, ev));
  }
}
const iso = (t) => t.toJSDate().toISOString();
function describe(ev, start, end, item) {
  return {
    uid: ev.uid,
    start: iso(start),
    end: iso(end),
    summary: item.summary,
    status: item.component.getFirstPropertyValue("status"),
    sequence: item.sequence,
    tzid: start.zone ? start.zone.tzid : null,
  };
}
for (const ev of masters.values()) {
  if (!ev.isRecurring()) {
    out.push(describe(ev, ev.startDate, ev.endDate, ev));
    continue;
  }
  const it = ev.iterator();
  for (let next = it.next(), n = 0; next && n < 1000; next = it.next(), n++) {
    const d = ev.getOccurrenceDetails(next);
    out.push(describe(ev, d.startDate, d.endDate, d.item));
  }
}
process.stdout.write(JSON.stringify(out));
