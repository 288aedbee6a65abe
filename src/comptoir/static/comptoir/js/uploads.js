// Attachments: a drop zone and a list of the chosen files over a plain
// <input type="file" multiple>. Without this script (or without DataTransfer) the input
// works as usual. The checks here only warn early; the server decides.
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function humanSize(bytes) {
    var language = document.documentElement.lang || undefined;
    var units = ["byte", "kilobyte", "megabyte", "gigabyte"];
    var index = 0;
    var value = bytes;
    while (value >= 1024 && index < units.length - 1) {
      value /= 1024;
      index += 1;
    }
    try {
      return new Intl.NumberFormat(language, {
        style: "unit", unit: units[index], unitDisplay: "short",
        maximumFractionDigits: index === 0 ? 0 : 1,
      }).format(value);
    } catch (error) {
      return Math.round(value * 10) / 10 + " " + ["B", "KB", "MB", "GB"][index];
    }
  }

  function canEnhance() {
    try {
      return typeof DataTransfer === "function" && new DataTransfer().items !== undefined;
    } catch (error) {
      return false;
    }
  }

  function enhance(box) {
    var input = box.querySelector("input[type=file]");
    var zone = box.querySelector("[data-dropzone]");
    var list = box.querySelector("[data-file-list]");
    if (!input || !zone || !list || box.dataset.enhanced) return;
    box.dataset.enhanced = "true";
    var text = box.dataset;
    var maxBytes = Number(input.dataset.maxBytes) || Infinity;
    var maxFiles = Number(input.dataset.maxFiles) || Infinity;
    var forbidden = (input.dataset.forbidden || "").split(" ").filter(Boolean);
    var files = [];

    zone.hidden = false;
    box.classList.add("enhanced");

    function problem(file) {
      var extension = file.name.indexOf(".") >= 0 ? file.name.split(".").pop().toLowerCase() : "";
      if (file.size > maxBytes) {
        return format(text.textTooLarge, {
          name: file.name, size: humanSize(file.size), limit: humanSize(maxBytes),
        });
      }
      if (file.size === 0) return format(text.textEmpty, { name: file.name });
      if (forbidden.indexOf(extension) >= 0) return format(text.textForbidden, { name: file.name });
      return "";
    }

    function sync() {
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      render();
    }

    function render() {
      list.replaceChildren();
      files.forEach(function (file, index) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        name.className = "file-name";
        name.textContent = file.name;  // text, never HTML: a file name is user input
        var size = document.createElement("span");
        size.className = "muted";
        size.textContent = " (" + humanSize(file.size) + ")";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.textContent = text.textRemove;
        remove.setAttribute("aria-label", text.textRemove + " " + file.name);
        remove.addEventListener("click", function () {
          files.splice(index, 1);
          sync();
          (list.querySelector("button") || zone.querySelector("[data-browse]")).focus();
        });
        item.append(name, size, " ", remove);
        var warning = problem(file);
        if (warning) {
          var note = document.createElement("span");
          note.className = "error";
          note.textContent = warning;
          item.classList.add("has-problem");
          item.append(note);
        }
        list.append(item);
      });
      if (files.length > maxFiles) {
        var tooMany = document.createElement("li");
        tooMany.className = "error";
        tooMany.textContent = format(text.textTooMany, { count: maxFiles });
        list.append(tooMany);
      }
    }

    function add(chosen) {
      Array.prototype.forEach.call(chosen, function (file) {
        var known = files.some(function (other) {
          return other.name === file.name && other.size === file.size &&
            other.lastModified === file.lastModified;
        });
        if (!known) files.push(file);
      });
      sync();
    }

    // A new choice in the browser's dialog adds to the list instead of replacing it.
    input.addEventListener("change", function () { add(input.files); });
    zone.querySelector("[data-browse]").addEventListener("click", function () { input.click(); });

    ["dragenter", "dragover"].forEach(function (name) {
      box.addEventListener(name, function (event) {
        if (!event.dataTransfer || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") < 0) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        box.classList.add("dragging");
      });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      box.addEventListener(name, function (event) {
        if (!box.contains(event.relatedTarget)) box.classList.remove("dragging");
      });
    });
    box.addEventListener("drop", function (event) {
      box.classList.remove("dragging");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      add(event.dataTransfer.files);
    });

    // After a reset (or a page restored from the back-forward cache) start afresh.
    if (input.form) input.form.addEventListener("reset", function () { files = []; render(); });
    if (input.files.length) add(input.files);
  }

  function enhanceAll(root) {
    if (!canEnhance()) return;
    root.querySelectorAll("[data-uploads]").forEach(enhance);
  }

  // A file dropped just beside the drop zone would make the browser leave the page and
  // lose what was typed: on pages with a drop zone, such drops do nothing.
  ["dragover", "drop"].forEach(function (name) {
    window.addEventListener(name, function (event) {
      if (!document.querySelector("[data-uploads].enhanced")) return;
      if (event.target.closest && event.target.closest("[data-uploads]")) return;
      event.preventDefault();
    });
  });

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  // Forms swapped in by htmx get the same treatment.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
