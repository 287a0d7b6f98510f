// circles serve: the app in this tab runs on the server, whose clock may be another zone's. The
// page says the browser's zone in a cookie the websocket's request carries, and the server runs
// the tab's app in it (TZ): "today", a new circle's zone and a file's date are the facilitator's.
// Loaded before textual.js, which opens the websocket.
(() => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && /^[A-Za-z0-9_+\/-]+$/.test(zone)) {  // an IANA name: nothing a cookie must escape
    document.cookie = `circles_zone=${zone}; path=/; SameSite=Strict`;
  }
})();
