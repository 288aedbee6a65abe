// Live ticket pages. On a page with an element [data-live-ticket="<public id>"], keep a
// WebSocket to /ws/tickets/<public id>/ (reconnecting with back-off) and dispatch
// "ticket-changed" on document.body whenever the ticket changes: the page's parts re-read
// themselves (hx-trigger="ticket-changed from:body").
//
// With [data-live-presence] (agent pages), also say whether this agent is viewing or
// replying (every 20 s, and at once when it changes) and show colleagues doing the same,
// using the page's translated texts (data-presence-viewing / data-presence-replying, with
// "%(name)s"). A colleague not heard from for 45 s is dropped.
(function () {
  "use strict";

  var HEARTBEAT_MS = 20000;
  var EXPIRY_MS = 45000;
  var MAX_DELAY_MS = 30000;
  var DO_NOT_RETRY = [4401, 4403];

  function start() {
    var root = document.querySelector("[data-live-ticket]");
    if (!root || !("WebSocket" in window)) return;
    var ticket = root.getAttribute("data-live-ticket");
    var presence = root.hasAttribute("data-live-presence");
    var socket = null;
    var delay = 1000;
    var connectedBefore = false;
    var leaving = false;
    var state = "viewing";
    var others = {};  // agent id -> {name, state, seen}
    var shown = "";

    function send(data) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(data));
    }

    function announce() {
      if (presence) send({ type: "presence", state: state });
    }

    function changed() {
      document.body.dispatchEvent(new CustomEvent("ticket-changed", { bubbles: true }));
    }

    function render() {
      var list = document.querySelector("[data-presence-list]");
      if (!list) return;
      var now = Date.now();
      var lines = [];
      Object.keys(others).forEach(function (id) {
        var entry = others[id];
        if (now - entry.seen > EXPIRY_MS) {
          delete others[id];
          return;
        }
        var template = root.getAttribute(
          entry.state === "replying" ? "data-presence-replying" : "data-presence-viewing"
        ) || "%(name)s";
        lines.push({ text: template.replace("%(name)s", entry.name), replying: entry.state === "replying" });
      });
      lines.sort(function (a, b) { return a.text.localeCompare(b.text); });
      var key = JSON.stringify(lines);
      if (key === shown) return;  // repeat nothing to screen readers
      shown = key;
      list.textContent = "";
      lines.forEach(function (line) {
        var item = document.createElement("span");
        item.className = "presence-item" + (line.replying ? " replying" : "");
        item.textContent = line.text;  // text, never HTML
        list.appendChild(item);
      });
    }

    function open() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(
        scheme + window.location.host + "/ws/tickets/" + encodeURIComponent(ticket) + "/"
      );
      socket.onopen = function () {
        delay = 1000;
        root.setAttribute("data-live-state", "on");
        announce();
        // Whatever happened while the connection was down: read it now.
        if (connectedBefore) changed();
        connectedBefore = true;
      };
      socket.onmessage = function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (data.type === "changed") {
          changed();
        } else if (data.type === "presence" && presence) {
          var id = data.id || data.user;
          if (data.state === "left") {
            delete others[id];
          } else {
            others[id] = { name: String(data.user), state: data.state, seen: Date.now() };
          }
          render();
        }
      };
      socket.onclose = function (event) {
        socket = null;
        root.setAttribute("data-live-state", "off");
        if (leaving || DO_NOT_RETRY.indexOf(event.code) !== -1) return;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, MAX_DELAY_MS);
      };
    }

    if (presence) {
      var composer = document.querySelector("[data-composer]");
      var update = function () {
        var body = composer && composer.querySelector("textarea[name=body]");
        var next = body && (document.activeElement === body || body.value.trim()) ? "replying" : "viewing";
        if (next !== state) {
          state = next;
          announce();
        }
      };
      if (composer) {
        composer.addEventListener("focusin", update);
        composer.addEventListener("focusout", function () { setTimeout(update, 0); });
        composer.addEventListener("input", update);
      }
      setInterval(announce, HEARTBEAT_MS);
      setInterval(render, 5000);
      update();
    }

    window.addEventListener("pagehide", function () {
      leaving = true;
      if (presence) send({ type: "presence", state: "left" });
      if (socket) socket.close();
    });
    open();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
