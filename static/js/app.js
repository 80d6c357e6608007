/* Small progressive enhancements. Everything works without this file. */
(function () {
  "use strict";

  /* An htmx request that failed (400/403/429/5xx) is not swapped (see the
     htmx-config meta); show the server's message in the status region. */
  function showError(xhr) {
    var region = document.getElementById("flash");
    if (!region) { return; }
    var text = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var el = doc.querySelector("[data-error-message]");
      text = el ? el.textContent.trim() : "";
    } catch (e) { text = ""; }
    if (!text) { text = region.getAttribute("data-generic-error") || "Error " + xhr.status; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = text;
    region.replaceChildren(p);
  }

  /* The resident picker's box: Enter searches (as the keyboard's key says)
     instead of submitting the form half filled in. */
  document.addEventListener("keydown", function (evt) {
    var box = evt.target;
    if (evt.key !== "Enter" || evt.isComposing || !box.matches || !box.matches("input[data-picker]")) { return; }
    evt.preventDefault();
    if (window.htmx) { window.htmx.trigger(box, "search"); }
  });

  /* The inline check re-renders a field from the server; a password input
     comes back empty (the server never echoes a password), so keep what was
     typed across the swap. */
  var keptPasswords = {};
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || !target.querySelectorAll) { return; }
    target.querySelectorAll("input[type=password][id]").forEach(function (input) {
      keptPasswords[input.id] = input.value;
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    Object.keys(keptPasswords).forEach(function (id) {
      var input = document.getElementById(id);
      if (input && !input.value) { input.value = keptPasswords[id]; }
    });
    keptPasswords = {};
  });

  document.addEventListener("htmx:responseError", function (evt) {
    showError(evt.detail.xhr);
  });
  document.addEventListener("htmx:sendError", function () {
    var region = document.getElementById("flash");
    if (!region) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = region.getAttribute("data-offline-error") || "Network error";
    region.replaceChildren(p);
  });

  /* The compact roll: "all present" marks every row here (no request), and
     the count against the quorum follows each change. Without this file the
     button asks the server, which answers with the count it computed. */
  function rollCount(form) {
    var out = form.querySelector("[data-roll-count]");
    if (!out || !out.getAttribute("data-format")) { return; }
    var n = form.querySelectorAll("input[type=radio][value=present]:checked").length;
    out.textContent = out.getAttribute("data-format").replace("{p}", String(n));
  }
  document.addEventListener("change", function (evt) {
    var form = evt.target.closest && evt.target.closest("form[data-roll]");
    if (form) { rollCount(form); }
  });
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-all-present]");
    var form = button && button.closest("form[data-roll]");
    if (!form) { return; }
    evt.preventDefault();
    form.querySelectorAll("input[type=radio][value=present]").forEach(function (radio) { radio.checked = true; });
    rollCount(form);
  });
})();
