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
    // The page: the network if it answers within 4 s (a weak signal must not hang the app), else
    // the kept shell. Only a page of this worker's own version is kept: a newer page needs files
    // this worker does not hold, and its own worker will keep it once installed.
    event.respondWith((async () => {
      const kept = () => caches.match("/app/");
      try {
        const response = await Promise.race([
          fetch(event.request),
          new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 4000)),
        ]);
        if (response.ok && response.headers.get("x-liushou-version") === VERSION) {
          const copy = response.clone();
          caches.open(SHELL).then((cache) => cache.put("/app/", copy));
        }
        return response.ok ? response : (await kept()) || response;
      } catch {
        return (await kept()) || Response.error();
      }
    })());
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname === "/app/manifest.webmanifest") {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
  }
});
