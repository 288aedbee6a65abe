// Comptoir's small shared script: no framework, every page works without it.
(function () {
  "use strict";

  // Submit a <select data-autosubmit> as soon as it changes (the language switcher).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // Pre-fill hidden time-zone fields with the browser's zone (sign-up).
  document.addEventListener("DOMContentLoaded", function () {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    document.querySelectorAll("input[type=hidden][name=timezone]").forEach(function (input) {
      if (!input.value && zone) input.value = zone;
    });
    connectLive();
  });

  function showNotice(text) {
    var box = document.getElementById("live-notices");
    if (!box) return;
    var notice = document.createElement("div");
    notice.className = "live-notice";
    notice.textContent = text;  // text, never HTML: notices cannot inject markup
    box.appendChild(notice);
    setTimeout(function () { notice.remove(); }, 8000);
  }

  // Live notices for signed-in users, reconnecting with a growing delay.
  function connectLive() {
    var path = document.body.dataset.liveUrl;
    if (!path || !("WebSocket" in window)) return;
    var delay = 1000;
    function open() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + location.host + path);
      socket.onopen = function () { delay = 1000; document.body.dataset.live = "on"; };
      socket.onmessage = function (event) {
        var data = JSON.parse(event.data);
        if (data.type === "notify") showNotice(data.text);
        document.dispatchEvent(new CustomEvent("comptoir:live", { detail: data }));
      };
      socket.onclose = function (event) {
        document.body.dataset.live = "off";
        if (event.code === 4401) return;  // not signed in: do not retry
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    open();
  }
})();
