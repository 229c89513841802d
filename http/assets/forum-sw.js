// Santisuk: the forum page's service worker (issue #18 §1). The server prepends VERSION and ASSETS.
//
// It keeps exactly two things, so the forum page opens with no connection: the page's static files
// (cache first: their addresses change with their content) and the last copy of the forum page itself
// (network first: a fresh page whenever the server answers, the kept one only when it cannot). Nothing
// else passes through it. The kept page is the signed-in user's own (their name, areas and token): the
// script forgets it on sign-out and on the sign-in page, so the next user of the phone never gets it.
"use strict";
var CACHE = "santisuk-forum-" + VERSION;
var PAGE = "/forums/new";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS).then(function () { return keepPage(cache); });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("santisuk-forum-") === 0 && k !== CACHE; })
        .map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// The page as the signed-in user sees it; a sign-in page (a redirect) or an error is never kept.
function keepPage(cache) {
  return fetch(PAGE, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (response.ok && !response.redirected) { return cache.put(PAGE, response); }
  }).catch(function () { /* kept at the next visit */ });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { return cache.put(PAGE, copy); });
        }
        return response;
      }).catch(function () {
        return caches.open(CACHE).then(function (cache) { return cache.match(PAGE); }).then(function (kept) {
          return kept || Response.error();
        });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname + url.search) >= 0) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(request).then(function (kept) {
          return kept || fetch(request).then(function (response) {
            if (response.ok) { cache.put(request, response.clone()); }
            return response;
          });
        });
      })
    );
  }
});
