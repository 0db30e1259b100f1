// The field app's service worker: keeps the app shell of this version so the app opens with no
// network. Data is not cached here (the app keeps it in IndexedDB); API calls go to the network.
const VERSION = "{{version}}";
const SHELL = `liushou-field-${VERSION}`;
const PRECACHE = {{precache}};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("liushou-field-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname === "/app/" || url.pathname === "/app/index.html") {
    // The page: the network when it answers (a new version), else the kept shell.
    event.respondWith(
      fetch(event.request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(SHELL).then((cache) => cache.put("/app/", copy));
        }
        return response;
      }).catch(() => caches.match("/app/")),
    );
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname === "/app/manifest.webmanifest") {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
  }
});
