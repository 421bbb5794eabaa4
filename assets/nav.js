// The navigation's part that lives in the browser:
// - the tab's title starts with the number of conversations holding unread messages, "(3) Inbox · Aisha";
// - Alerts (a choice of this browser, kept in localStorage): each new alert the server sets on
//   #nav-alert (a new conversation, one assigned to you, a customer waiting long) plays a short
//   tone and, if the browser allows notifications, shows one.
(function () {
  if (window.aishaNav) return;
  window.aishaNav = true;

  const KEY = "aisha.alerts";
  const COUNTED = /^\(\d+\+?\) /;
  let heard = null; // the alert sequence number last acted on

  function alertsOn() {
    try { return localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  }

  function tone() {
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const beep = audio.createOscillator();
      const volume = audio.createGain();
      beep.frequency.value = 880;
      volume.gain.setValueAtTime(0.15, audio.currentTime);
      volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      beep.connect(volume).connect(audio.destination);
      beep.start();
      beep.stop(audio.currentTime + 0.4);
      beep.onended = function () { audio.close(); };
    } catch (e) { /* no audio here: the notification still shows */ }
  }

  function announce(text) {
    document.documentElement.dataset.lastAlert = text; // what the last alert said (tests read it)
    if (!alertsOn()) return;
    tone();
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("Aisha", { body: text, tag: "aisha-" + Date.now() });
    }
  }

  function sync() {
    const total = document.getElementById("unread-total");
    if (total) {
      const count = total.dataset.count || "";
      const base = document.title.replace(COUNTED, "");
      const title = count ? "(" + count + ") " + base : base;
      if (document.title !== title) document.title = title;
    }
    const alert = document.getElementById("nav-alert");
    if (alert) {
      const seq = alert.dataset.seq || "0";
      if (heard === null) heard = seq; // what was there before this page: not news
      else if (seq !== heard) {
        heard = seq;
        if (alert.dataset.text) announce(alert.dataset.text);
      }
    }
    const on = alertsOn() ? "true" : "false";
    document.querySelectorAll(".alerts-toggle").forEach(function (button) {
      if (button.getAttribute("aria-pressed") !== on) button.setAttribute("aria-pressed", on);
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest(".alerts-toggle");
    if (!button) return;
    const on = !alertsOn();
    try { localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { return; }
    if (on && "Notification" in window && Notification.permission === "default") {
      Notification.requestPermission();
    }
    sync();
  });

  const style = document.createElement("style");
  style.textContent =
    '.alerts-toggle .alerts-state::after { content: "off"; opacity: 0.7; }' +
    '.alerts-toggle[aria-pressed="true"] .alerts-state::after { content: "on"; opacity: 1; }';
  document.head.appendChild(style);

  new MutationObserver(sync).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["data-count", "data-seq"],
    characterData: true,
  });
  sync();
})();
