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
  // Issue #18 §1: the forum page kept on the phone for use without a connection is the signed-in user's
  // (their name, areas and token): forgotten on sign-out and wherever nobody is signed in (the sign-in
  // page), so the next user of the phone never opens it. Entries typed offline are not touched: they wait,
  // visible to their author only, until that user signs in again (see offline.js).
  function forgetForumPage() {
    if (!window.caches) { return Promise.resolve(); }
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("santisuk-forum-") === 0; })
        .map(function (k) { return caches.open(k).then(function (c) { return c.delete("/forums/new"); }); }));
    }).catch(function () { /* nothing kept */ });
  }
  if (document.querySelector("form[action='/login']")) { forgetForumPage(); }
  document.querySelectorAll("form[action='/logout']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      event.preventDefault();
      forgetForumPage().then(function () { HTMLFormElement.prototype.submit.call(form); });
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
      // A row's checkbox says which row it marks (unchecked boxes are not sent): its value is the row's number.
      if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else if (el.type === "checkbox") { el.checked = false; el.value = String(n); }
      else { el.value = ""; }
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
  // A refused form: the summary of its errors takes the focus, so it is read first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // Date fields: typed as วว/ดด/ปปปป in either era (the server reads them the same way); the calendar
  // button opens the browser's picker and writes the chosen day back in the page's era.
  var TH_MONTHS = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
  var EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // The same rule as the server's parse_date_era: YYYY-MM-DD or DD/MM/YYYY, a year from 2400 is BE.
  function readDate(text) {
    var t = text.trim(), m, y, mo, d;
    if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t))) { y = +m[1]; mo = +m[2]; d = +m[3]; }
    else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t))) { y = +m[3]; mo = +m[2]; d = +m[1]; }
    else { return null; }
    var be = y >= 2400; if (be) { y -= 543; }
    var date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) { return null; }
    return { y: y, m: mo, d: d, be: be };
  }
  function understood(lang, r) {
    if (!r) { return ""; }
    if (lang === "th") {
      var w = r.d + " " + TH_MONTHS[r.m - 1] + " " + (r.y + 543);
      return "= " + w + (r.be ? " (อ่านเป็น พ.ศ.)" : " (อ่านเป็น ค.ศ. " + r.y + ")");
    }
    var e = r.d + " " + EN_MONTHS[r.m - 1] + " " + r.y;
    return "= " + e + (r.be ? " (read as Buddhist Era " + (r.y + 543) + ")" : " (read as Common Era)");
  }
  document.querySelectorAll("input[data-date]").forEach(function (input) {
    var lang = input.dataset.date;
    var wrap = input.parentElement;
    var button = wrap.querySelector("button.pick");
    var picker = wrap.querySelector("input.picker");
    var out = document.querySelector("output[for='" + input.id + "']");
    function show() { if (out) { out.textContent = understood(lang, readDate(input.value)); } }
    input.addEventListener("input", show);
    if (!button || !picker) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var r = readDate(input.value);
      picker.value = r ? r.y + "-" + pad(r.m) + "-" + pad(r.d) : "";
      if (picker.showPicker) { try { picker.showPicker(); return; } catch (e) { /* fall through */ } }
      picker.focus(); picker.click();
    });
    picker.addEventListener("change", function () {
      var r = readDate(picker.value);
      if (!r) { return; }
      input.value = pad(r.d) + "/" + pad(r.m) + "/" + (lang === "th" ? r.y + 543 : r.y);
      show();
      input.focus();
    });
  });
  // Forum form (issue #17): as a problem's title is typed, show the open problems of its area and category it
  // may duplicate (the server's own HTML fragment, which it also shows when the form comes back).
  var pending = null;
  document.addEventListener("input", function (event) {
    var row = event.target.closest && event.target.closest("fieldset.problem");
    if (!row || !/^p_(title|category|description)$/.test(event.target.name)) { return; }
    clearTimeout(pending);
    pending = setTimeout(function () { suggest(row); }, 400);
  });
  function suggest(row) {
    var form = row.closest("form");
    var box = row.querySelector(".dup-suggestions");
    var area = form && form.querySelector("[name=area_id]");
    var value = function (name) { var el = row.querySelector("[name=" + name + "]"); return el ? el.value : ""; };
    if (!box || !area) { return; }
    var query = "area=" + encodeURIComponent(area.value) + "&category=" + encodeURIComponent(value("p_category")) +
      "&title=" + encodeURIComponent(value("p_title")) + "&description=" + encodeURIComponent(value("p_description"));
    fetch("/duplicates/suggest?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { /* suggestions are a convenience */ });
  }
})();
