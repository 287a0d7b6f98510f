// circles serve: when the tab's app ends, say why. textual.js shows the "ended" dialog on any
// close of its websocket; a close with code 1001 (going away) is the server stopping, which
// no "Start again" in this page can undo: body.-server-stopped shows that message instead.
// Loaded before textual.js, so the socket it opens is one of these.
(() => {
  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("close", (event) => {
        if (event.code === 1001) {
          document.body.classList.add("-server-stopped");
        }
      });
    }
  }
  window.WebSocket = Watched;
})();
