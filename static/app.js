// Behaviour that htmx attributes cannot express under our CSP (no inline scripts, no eval).
(function () {
  "use strict";

  // Failed htmx requests are not swapped (see htmx-config): show the server's message in a toast.
  document.addEventListener("htmx:responseError", function (event) {
    var toast = document.getElementById("request-error");
    if (!toast) return;
    var text = "Something went wrong. Please try again.";
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var message = doc.querySelector(".error-message");
      if (message) text = message.textContent.replace(/\s+/g, " ").trim();
    }
    toast.textContent = text;
    toast.hidden = false;
    window.clearTimeout(toast._timer);
    toast._timer = window.setTimeout(function () { toast.hidden = true; }, 6000);
  });

  document.addEventListener("htmx:sendError", function () {
    var toast = document.getElementById("request-error");
    if (!toast) return;
    toast.textContent = "The server cannot be reached. Check the connection and try again.";
    toast.hidden = false;
  });

  // Close an open <details> menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  // Forms marked data-confirm ask before submitting (void a sale, delete a segment, ...).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
})();

// ===== Customer card (issue 5) =====
(function () {
  "use strict";
  // Buttons only needed without JavaScript (e.g. the timeline's "Filter") hide once scripts run.
  document.documentElement.classList.add("js");
})();

// Sales form (issue 3): "Add another line" copies the last empty item row. Without JS the form has five rows.
(function () {
  "use strict";
  function reveal(root) {
    (root || document).querySelectorAll("[data-add-item-row]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSwap", function (event) { reveal(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-item-row]");
    if (!button) return;
    var rows = document.getElementById(button.getAttribute("data-add-item-row"));
    if (!rows || !rows.lastElementChild) return;
    var copy = rows.lastElementChild.cloneNode(true);
    var index = rows.children.length + 1;
    copy.querySelectorAll("input").forEach(function (input) {
      input.value = input.name === "item_quantity" ? "1" : "";
      input.id = input.id.replace(/\d+$/, String(index));
    });
    copy.querySelectorAll("label").forEach(function (label) {
      label.htmlFor = label.htmlFor.replace(/\d+$/, String(index));
      label.textContent = label.textContent.replace(/\d+$/, String(index));
    });
    rows.appendChild(copy);
    var first = copy.querySelector("input");
    if (first) first.focus();
  });
})();
