// Santisuk: the forum page without a connection (issue #18 §1). Without this script (or without
// IndexedDB) the form saves straight to the server as it always did.
//
// A save is first written to IndexedDB on this phone, then sent; it leaves IndexedDB only when the server
// has stored it. An entry the server could not be reached for (or whose sign-in expired) waits and is sent
// again when the connection returns, when the page opens, every little while, or on "send now". An entry
// the server refused for a real reason (a field, an area no longer the user's) stays with the server's
// messages until the user fixes or discards it. Every entry belongs to the user who typed it: another user
// of the phone never sees it, and it is sent only under its author's session, with that session's fresh
// CSRF token. Each entry keeps the submission id the form was given, and the server makes the forum's and
// the problems' ids from (user, submission, row): a sync repeated or cut half-way creates nothing twice.
(function () {
  "use strict";
  var form = document.getElementById("forum-form");
  var panel = document.getElementById("offline");
  if (!form || !panel) { return; }
  var T = JSON.parse(document.getElementById("offline-strings").textContent);
  var lang = panel.dataset.lang;
  var user = form.dataset.user;
  var statusEl = document.getElementById("offline-status");
  var lastEl = document.getElementById("offline-last");
  var noticeEl = document.getElementById("offline-notice");
  var listEl = document.getElementById("offline-queue");
  var sendBtn = document.getElementById("offline-send");
  var submission = form.querySelector("input[name=submission]");
  panel.hidden = false;
  if (!window.indexedDB || !window.fetch || !window.Promise || !window.URLSearchParams) {
    statusEl.textContent = T.noStorage;
    return;
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/forums/offline-sw.js", { scope: "/forums/new" }).catch(function () {
      /* the page still saves and keeps entries; only opening it without a connection needs the worker */
    });
  }

  function freshId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  // A new form gets a new submission id here: the page may be the phone's kept copy, whose id was used.
  // (A form shown again with its errors keeps its id, so that its retry completes the same save.)
  if (location.pathname === "/forums/new" && submission) { submission.value = freshId(); }

  // --- IndexedDB: entries (by submission id) and, per user, how the last sync went.
  var opened = null;
  function db() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var r = indexedDB.open("santisuk-offline", 1);
        r.onupgradeneeded = function () {
          r.result.createObjectStore("entries", { keyPath: "submission" });
          r.result.createObjectStore("meta", { keyPath: "key" });
        };
        r.onsuccess = function () { resolve(r.result); };
        r.onerror = function () { reject(r.error); };
      });
    }
    return opened;
  }
  function run(store, mode, op) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(store, mode);
        var req = op(t.objectStore(store));
        t.oncomplete = function () { resolve(req ? req.result : undefined); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function mine() {
    return run("entries", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (e) { return e.user === user; })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }
  function put(e) { return run("entries", "readwrite", function (s) { return s.put(e); }); }
  function removeEntry(id) { return run("entries", "readwrite", function (s) { return s.delete(id); }); }
  function getMeta() { return run("meta", "readonly", function (s) { return s.get("sync:" + user); }); }
  function setMeta(ok, why) {
    return run("meta", "readwrite", function (s) {
      return s.put({ key: "sync:" + user, at: Date.now(), ok: ok, why: why || "" });
    });
  }
  function getEntry(id) { return run("entries", "readonly", function (s) { return s.get(id); }); }

  // --- An entry: the form's fields as typed (not its token: a fresh one is fetched when it is sent).
  function entryOf(previous) {
    var data = new FormData(form);
    var fields = [];
    data.forEach(function (v, k) {
      if (k !== "_csrf" && k !== "op" && typeof v === "string") { fields.push([k, v]); }
    });
    var area = form.querySelector("[name=area_id]");
    return {
      submission: String(data.get("submission")),
      user: user,
      fields: fields,
      created: previous ? previous.created : Date.now(),
      state: "waiting",
      errors: [],
      title: String(data.get("title") || "").trim(),
      held_on: String(data.get("held_on") || "").trim(),
      area: area && area.selectedIndex > 0 ? area.options[area.selectedIndex].text : "",
      problems: data.getAll("p_title").filter(function (t) { return String(t).trim(); }).length
    };
  }

  // --- The server: who is signed in (and their token), and one entry sent.
  function session() {
    return fetch("/forums/sync", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { return { why: "signed_out" }; }
        if (!r.ok) { return { why: "server" }; }
        return r.json().then(function (j) {
          // Another user signed in meanwhile (another tab): this page's entries wait for their author.
          return j.user === user ? { token: j.csrf } : { why: "signed_out" };
        });
      })
      .catch(function () { return { why: "network" }; });
  }
  function send(entry, token) {
    var body = new URLSearchParams();
    body.append("_csrf", token);
    body.append("typed_by", entry.user);
    body.append("op", "save");
    entry.fields.forEach(function (f) { body.append(f[0], f[1]); });
    return fetch("/forums/sync", {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    }, function () { return { status: 0, body: {} }; });
  }
  function code(r) { return r.body && r.body.error ? r.body.error.code : ""; }
  // Why a reply leaves its entry waiting ("" when the server settled it: stored, or refused for a reason).
  function why(r) {
    if (r.status === 0) { return "network"; }
    if (code(r) === "sync_signed_out") { return "signed_out"; }
    if (r.status >= 500 || r.status === 429 || r.status === 408 || !code(r)) { return "server"; }
    return "";
  }
  function refuse(entry, r) {
    entry.state = "refused";
    entry.errors = r.body.fields && r.body.fields.length ? r.body.fields
      : [{ field: "", label: "", message: r.body.error.message || r.body.error.code }];
    return put(entry);
  }

  var running = null;
  function syncAll() {
    if (running) { return running; }
    running = mine().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state === "waiting"; });
      if (!waiting.length) { return null; }
      statusEl.textContent = T.sending;
      return session().then(function (s) {
        if (!s.token) { return setMeta(false, s.why); }
        var i = 0;
        var sent = [];
        var next = function () {
          if (i >= waiting.length) { return setMeta(true); }
          var e = waiting[i++];
          return send(e, s.token).then(function (r) {
            if (r.status === 200 && r.body.url) {
              sent.push(e.title || T.untitled.replace("{date}", e.held_on));
              notice(T.sent.replace("{title}", sent.join(", ")));
              return removeEntry(e.submission).then(next);
            }
            var w = why(r);
            if (w) { return setMeta(false, w); }
            return refuse(e, r).then(next);
          });
        };
        return next();
      });
    }).catch(function (err) {
      statusEl.textContent = String(err);
    }).then(function () { running = null; return render(); });
    return running;
  }

  // --- The page's own save: kept first, then sent at once.
  function nativeSave() {
    var op = document.createElement("input");
    op.type = "hidden"; op.name = "op"; op.value = "save";
    form.appendChild(op);
    HTMLFormElement.prototype.submit.call(form);
  }
  function ready() {
    delete form.dataset.sent;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
  }
  function notice(text) {
    noticeEl.textContent = text;
    noticeEl.hidden = !text;
  }
  function clearMarks() {
    form.querySelectorAll(".offline-error").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }
  form.addEventListener("submit", function (event) {
    var b = event.submitter;
    if (event.defaultPrevented || !b || b.name !== "op" || b.value !== "save") { return; }
    event.preventDefault();
    var entry;
    getEntry(submission.value).then(function (previous) {
      entry = entryOf(previous);
      return put(entry);
    }).then(function () {
      return session().then(function (s) { return s.token ? send(entry, s.token) : { status: 0, why: s.why }; });
    }).then(function (r) {
      if (r.status === 200 && r.body.url) {
        return removeEntry(entry.submission).then(function () { return setMeta(true); }).then(function () {
          location.href = r.body.url + "?saved=1";
        });
      }
      var w = r.why || why(r);
      if (!w) {
        // Refused while the user is at the form: kept as refused, and the server's own page shows every
        // message beside its field (the same submission id, so that the fixed save replaces the entry).
        return refuse(entry, r).then(nativeSave);
      }
      return setMeta(false, w).then(function () {
        form.reset();
        submission.value = freshId();
        delete form.dataset.fixing;
        clearMarks();
        ready();
        notice(T.kept);
        return render();
      }).then(function () { panel.scrollIntoView(); });
    }).catch(function () {
      // IndexedDB failed (private mode, full disk): the ordinary save, with the page's own token.
      nativeSave();
    });
  });

  // --- A refused entry back in the form, to fix and save again.
  function fix(entry) {
    var values = {};
    entry.fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    var rows = 0;
    Object.keys(values).forEach(function (k) { if (/^p_/.test(k) && k !== "p_restricted") { rows = Math.max(rows, values[k].length); } });
    var add = form.querySelector("button[value=add_row]");
    ready();
    while (add && form.querySelectorAll("fieldset.problem").length < rows) {
      var before = form.querySelectorAll("fieldset.problem").length;
      form.requestSubmit(add);
      ready();
      if (form.querySelectorAll("fieldset.problem").length === before) { break; }
    }
    Object.keys(values).forEach(function (name) {
      if (name === "p_restricted") { return; }
      var els = form.querySelectorAll("[name=\"" + (window.CSS && CSS.escape ? CSS.escape(name) : name) + "\"]");
      values[name].forEach(function (v, i) { if (els[i]) { els[i].value = v; } });
    });
    form.querySelectorAll("input[name=p_restricted]").forEach(function (box) {
      box.checked = (values.p_restricted || []).indexOf(box.value) >= 0;
    });
    form.querySelectorAll("input[name=p_title]").forEach(function (el, i) {
      if (!values.p_title || i >= values.p_title.length) { el.value = ""; }
    });
    clearMarks();
    entry.errors.forEach(function (e) {
      var el = e.field && document.getElementById(e.field);
      if (!el) { return; }
      el.setAttribute("aria-invalid", "true");
      var msg = document.createElement("span");
      msg.className = "field-error offline-error";
      msg.setAttribute("role", "alert");
      msg.textContent = e.message;
      el.after(msg);
    });
    form.dataset.fixing = entry.submission;
    notice(T.fixing);
    var first = entry.errors.length && entry.errors[0].field && document.getElementById(entry.errors[0].field);
    (first || form).scrollIntoView();
    if (first) { first.focus(); }
  }

  // --- The panel: how many wait, how the last sync went and when, and each entry.
  function when(at) {
    return new Date(at).toLocaleString(lang === "th" ? "th-TH" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
  }
  function reason(w) {
    return w === "signed_out" ? T.whySignedOut : w === "server" ? T.whyServer : T.whyNetwork;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }
  function render() {
    return Promise.all([mine(), getMeta()]).then(function (r) {
      var entries = r[0], meta = r[1];
      var waiting = entries.filter(function (e) { return e.state === "waiting"; });
      var refused = entries.filter(function (e) { return e.state === "refused"; });
      panel.dataset.waiting = String(waiting.length);
      panel.dataset.refused = String(refused.length);
      panel.dataset.lastSync = meta ? (meta.ok ? "ok" : "failed:" + meta.why) : "never";
      panel.dataset.lastSyncAt = meta ? String(meta.at) : "";
      var status = waiting.length ? T.waiting.replace("{n}", waiting.length) : T.none;
      if (refused.length) { status += " · " + T.refusedN.replace("{n}", refused.length); }
      if (!navigator.onLine) { status += " · " + T.noConnection; }
      statusEl.textContent = status;
      lastEl.textContent = "";
      if (!meta) { lastEl.textContent = T.never; }
      else if (meta.ok) { lastEl.textContent = T.lastOk.replace("{when}", when(meta.at)); }
      else {
        lastEl.textContent = T.lastFailed.replace("{when}", when(meta.at)).replace("{why}", reason(meta.why));
        if (meta.why === "signed_out") {
          var a = el("a", "", T.signIn);
          a.href = "/login?next=" + encodeURIComponent("/forums/new");
          a.id = "offline-sign-in";
          lastEl.append(" ", a);
        }
      }
      lastEl.className = meta && !meta.ok ? "bad" : "";
      sendBtn.hidden = !waiting.length;
      listEl.textContent = "";
      entries.forEach(function (e) {
        var li = el("li", "offline-entry");
        li.dataset.submission = e.submission;
        li.dataset.state = e.state;
        var name = e.title || T.untitled.replace("{date}", e.held_on);
        li.append(el("strong", "", name));
        li.append(" · " + [e.area, T.problemsN.replace("{n}", e.problems)].filter(Boolean).join(" · "));
        if (e.state === "refused") {
          li.append(el("p", "field-error", T.refused));
          var ul = el("ul", "offline-errors");
          e.errors.forEach(function (x) { ul.append(el("li", "", (x.label ? x.label + ": " : "") + x.message)); });
          li.append(ul);
          var fixBtn = el("button", "offline-fix", T.fix);
          fixBtn.type = "button";
          fixBtn.setAttribute("aria-label", T.fix + ": " + name);
          fixBtn.addEventListener("click", function () { fix(e); });
          var drop = el("button", "offline-discard", T.discard);
          drop.type = "button";
          drop.setAttribute("aria-label", T.discard + ": " + name);
          drop.addEventListener("click", function () {
            if (window.confirm(T.discardConfirm)) { removeEntry(e.submission).then(render); }
          });
          li.append(fixBtn, " ", drop);
        }
        listEl.append(li);
      });
    });
  }

  sendBtn.addEventListener("click", function () { syncAll(); });
  window.addEventListener("online", function () { syncAll(); });
  window.addEventListener("offline", function () { render(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { syncAll(); } });
  // The connection may come back without an "online" event (the phone was never "offline", the server
  // was unreachable): try again every little while as long as something waits.
  setInterval(function () { syncAll(); }, 15000);
  render().then(syncAll);
})();
