// circles serve: keys typed as soon as the page shows reach the app. textual.js leaves its
// terminal unfocused, so typing does nothing until a click: focus it once textual.js has made
// it. (The app itself starts focused: screens/web_driver.py.)
window.addEventListener("load", () => {
  const focus = (tries) => {
    const input = document.querySelector(".xterm-helper-textarea");
    if (input) {
      input.focus();
    } else if (tries > 0) {
      setTimeout(() => focus(tries - 1), 50);
    }
  };
  focus(200);
});
