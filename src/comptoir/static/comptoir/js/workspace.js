// The agent workspace's keyboard shortcuts, row selection and reply drafts.
// Vanilla, no build step; every page works without it. Shortcuts never fire while the
// agent types in a field (Escape leaves the field). Help: "?" opens #shortcuts-dialog.
(function () {
  "use strict";

  var LAST_LIST = "comptoir:last-list";
  var pendingG = 0;

  function typing(target) {
    if (!target || !target.closest) return false;
    return target.isContentEditable || !!target.closest("input, textarea, select, [contenteditable]");
  }

  function area() {
    var root = document.querySelector("[data-shortcuts]");
    return root ? root.getAttribute("data-shortcuts") : "";
  }

  // --- Lists ------------------------------------------------------------------------------

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]"));
  }

  function currentRow() {
    return document.querySelector("tr[data-row].is-current");
  }

  function setCurrent(row) {
    var previous = currentRow();
    if (previous) previous.classList.remove("is-current");
    if (!row) return;
    row.classList.add("is-current");
    var link = row.querySelector("a[href]");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(currentRow());
    if (index < 0) {
      setCurrent(all[step > 0 ? 0 : all.length - 1]);
      return;
    }
    var next = index + step;
    if (next >= all.length) {
      // At the bottom, "next" asks for the following page.
      var more = document.querySelector("[data-load-more]");
      if (more) more.click();
      return;
    }
    setCurrent(all[Math.max(next, 0)]);
  }

  function openRow() {
    var row = currentRow();
    if (row && row.dataset.href) window.location.assign(row.dataset.href);
  }

  function toggleRow() {
    var row = currentRow();
    var box = row && row.querySelector("input[type=checkbox][name=tickets]");
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function updateSelection() {
    var label = document.querySelector("[data-bulk-count]");
    if (!label) return;
    var count = document.querySelectorAll("input[type=checkbox][name=tickets]:checked").length;
    label.textContent = count
      ? label.getAttribute("data-some").replace("%(count)s", String(count))
      : label.getAttribute("data-none");
    var bar = document.querySelector("[data-bulk-bar]");
    if (bar) bar.classList.toggle("has-selection", count > 0);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll("input[type=checkbox][name=tickets]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.matches("[data-select-all], input[type=checkbox][name=tickets]")) updateSelection();
  });

  // A click on a row (not on its links or checkbox) makes it the current one.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-row]");
    if (row && !event.target.closest("a, input, button, label")) setCurrent(row);
  });

  // --- A ticket ----------------------------------------------------------------------------

  function compose(kind) {
    var form = document.querySelector("[data-composer]");
    if (!form) return;
    var radio = form.querySelector("input[name=kind][value=" + kind + "]");
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var body = form.querySelector("textarea[name=body]");
    if (body) body.focus();
  }

  function assignToMe() {
    var button = document.querySelector("[data-assign-me]");
    if (button) button.click();
  }

  function backToList() {
    var link = document.querySelector("[data-back-to-list]");
    var url = sessionStorage.getItem(LAST_LIST) || (link && link.href);
    if (url) window.location.assign(url);
  }

  // Drafts: a reply survives a reload, another action's round trip or a closed tab.
  function setUpDraft() {
    var form = document.querySelector("[data-composer]");
    if (!form) return;
    var key = form.getAttribute("data-draft-key");
    var body = form.querySelector("textarea[name=body]");
    if (!key || !body) return;
    if (form.hasAttribute("data-draft-kept")) {
      localStorage.removeItem(key);  // the server sent back what was typed
    } else if (!body.value) {
      try {
        var saved = JSON.parse(localStorage.getItem(key) || "null");
        if (saved && saved.body) {
          body.value = saved.body;
          var radio = form.querySelector("input[name=kind][value=" + saved.kind + "]");
          if (radio) radio.checked = true;
        }
      } catch (error) {
        localStorage.removeItem(key);
      }
    }
    function save() {
      var kind = form.querySelector("input[name=kind]:checked");
      if (body.value.trim()) {
        localStorage.setItem(key, JSON.stringify({ body: body.value, kind: kind ? kind.value : "reply" }));
      } else {
        localStorage.removeItem(key);
      }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () { localStorage.removeItem(key); });
  }

  // The ticket's side panels refresh live only while the agent is not using them.
  window.comptoirPanelsIdle = function () {
    var panels = document.getElementById("ticket-panels");
    if (!panels) return false;
    if (panels.contains(document.activeElement)) return false;
    var fields = panels.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden" || field.type === "file") continue;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return false;
      } else if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) return false;
        }
      } else if (field.value !== field.defaultValue) {
        return false;
      }
    }
    return true;
  };

  // --- Keys -------------------------------------------------------------------------------

  function openHelp() {
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog && !dialog.open && dialog.showModal) dialog.showModal();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-shortcuts-open]")) openHelp();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) {
      // Leave the field, keeping what was typed (a search box would clear itself).
      if (event.target.matches("input[type=search]")) event.preventDefault();
      event.target.blur();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog && dialog.open) return;
    var where = area();
    var key = event.key;
    var handled = true;
    if (key === "?") {
      openHelp();
    } else if (where === "list" && key === "j") {
      move(1);
    } else if (where === "list" && key === "k") {
      move(-1);
    } else if (where === "list" && (key === "o" || (key === "Enter" && !event.target.closest("a, button")))) {
      openRow();
    } else if (where === "list" && key === "x") {
      toggleRow();
    } else if (where === "ticket" && key === "r") {
      compose("reply");
    } else if (where === "ticket" && key === "n") {
      compose("note");
    } else if (where === "ticket" && key === "a") {
      assignToMe();
    } else if (where === "ticket" && key === "g") {
      pendingG = Date.now();
    } else if (where === "ticket" && key === "l" && Date.now() - pendingG < 1500) {
      pendingG = 0;
      backToList();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (area() === "list") sessionStorage.setItem(LAST_LIST, window.location.href);
    setUpDraft();
    updateSelection();
  });
  // Filters and views change the URL without a page load: remember the list shown.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    if (area() === "list") sessionStorage.setItem(LAST_LIST, window.location.href);
  });
  document.addEventListener("htmx:afterSettle", updateSelection);

  // Filters send only what is set: shorter URLs in the address bar and in history.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    var data = event.detail.formData;
    if (!form || !form.matches || !form.matches("form.list-filters") || !data) return;
    var empty = [];
    data.forEach(function (value, key) { if (value === "") empty.push(key); });
    empty.forEach(function (key) { data.delete(key); });
  });
})();
