/* The tablet's page kept on the tablet (issue 15). A reload while the site's main laptop is dead still opens the
   page, from this copy, with the sign-in and the offline queue it left in this origin's storage; the page then
   moves to the promoted standby by itself, as it does without a reload. Network first: while the server answers,
   the page and its files are the server's own of the moment, and they refresh the copy; the copy answers only
   when the server does not. The API and Socket.IO never go through here.

   Served as /tablette.sw.js (its scope: /tablette) and registered by start.js where the browser allows it: a
   secure context (https, or the laptop's own localhost). */
"use strict";

const CACHE = "salle-tablette";
const PAGE = "/tablette";
const WAIT_MS = 4000; // a dead laptop on a LAN may never refuse the connection: past this, the copy

self.addEventListener("install", (event) => {
  // The API and the live connection go straight to the network, without waking this worker (a scan never waits for
  // it to start): the browser's static routing, where it has it.
  if (event.addRoutes && self.URLPattern) {
    event.addRoutes(["/api/*", "/socket.io/*"].map((pathname) => ({
      condition: { urlPattern: new URLPattern({ pathname }) }, source: "network" })));
  }
  // The page and every file it names (its scripts and its style sheet), read once now.
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch(PAGE, { cache: "no-store" });
    if (!page.ok) throw new Error(`${PAGE}: ${page.status}`);
    const html = await page.clone().text();
    const files = [...html.matchAll(/(?:src|href)="(\/static\/[^"?#]+)"/g)].map((m) => m[1]);
    await cache.addAll(files);
    await cache.put(PAGE, page);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function kept(request) {
  const url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin
    && (url.pathname === PAGE || url.pathname.startsWith("/static/"));
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const key = new URL(request.url).pathname; // /tablette?salle=A01 is the same page
  const network = fetch(request).then((response) => {
    if (response.ok) cache.put(key, response.clone());
    return response;
  });
  const copy = await cache.match(key);
  if (!copy) return network;
  const late = new Promise((resolve) => { setTimeout(resolve, WAIT_MS, null); });
  const answer = await Promise.race([network.catch(() => null), late]);
  return answer || copy;
}

self.addEventListener("fetch", (event) => {
  if (kept(event.request)) event.respondWith(networkFirst(event.request));
});
