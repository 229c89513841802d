// Santisuk: conveniences only. Every form works without this script.
(function () {
  "use strict";
  // The language switch returns to the page it was used on.
  document.querySelectorAll("input[data-back]").forEach(function (input) {
    input.value = location.pathname + location.search;
  });
  // A form is sent once: a double-click does not send it twice (the server is idempotent anyway).
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (form.dataset.sent === "1") { event.preventDefault(); return; }
      if (button && button.name === "op" && button.value === "add_row" && addRow(form)) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      // Disabled only after the browser has taken the pressed button's name and value into the submission.
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
  // Forum page: add a problem row in place instead of a round trip.
  function addRow(form) {
    var rows = form.querySelectorAll("fieldset.problem");
    if (!rows.length) return false;
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    var n = rows.length + 1;
    copy.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
      el.removeAttribute("aria-invalid");
      if (el.id) { el.id = el.id.replace(/-\d+$/, "-" + n); }
    });
    copy.querySelectorAll("label").forEach(function (l) {
      var f = l.getAttribute("for"); if (f) l.setAttribute("for", f.replace(/-\d+$/, "-" + n));
    });
    copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    var legend = copy.querySelector("legend .n"); if (legend) legend.textContent = String(n);
    last.after(copy);
    var first = copy.querySelector("input"); if (first) first.focus();
    return true;
  }
  // Dashboard and queue (#13): a print button where the browser can print; the queue's filters unfolded on
  // a wide screen (on a phone they stay folded behind their button).
  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  var more = document.getElementById("more-filters");
  if (more && window.matchMedia("(min-width: 700px)").matches) { more.open = true; }
  // Filters apply as soon as a choice changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (s) {
    s.addEventListener("change", function () {
      // A custom range needs its days first: go to them instead of sending an empty range.
      if (s.value === "range") { var from = s.form.querySelector("[name=from]"); if (from) from.focus(); return; }
      s.form.submit();
    });
  });
})();
