// A small promise wrapper over IndexedDB: one database per app, stores declared up front.

export function openDatabase(name, version, stores) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const [store, options] of Object.entries(stores)) {
        if (!db.objectStoreNames.contains(store)) {
          const created = db.createObjectStore(store, { keyPath: options.keyPath });
          for (const index of options.indexes || []) created.createIndex(index, index);
        }
      }
    };
    request.onsuccess = () => {
      // A newer version of the app opened in another tab: let it upgrade.
      request.result.onversionchange = () => request.result.close();
      resolve(new Store(request.result));
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("本机数据库被另一个标签页占用，请关闭其他标签页后重试"));
  });
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

class Store {
  constructor(db) {
    this.db = db;
  }

  tx(store, mode = "readonly") {
    return this.db.transaction(store, mode).objectStore(store);
  }

  get(store, key) {
    return done(this.tx(store).get(key));
  }

  all(store) {
    return done(this.tx(store).getAll());
  }

  byIndex(store, index, value) {
    return done(this.tx(store).index(index).getAll(value));
  }

  /** Resolves once the write is committed (durably), not merely queued. */
  put(store, value) {
    return this.putAll(store, [value]);
  }

  /** Writes all values in one transaction (all or nothing); resolves when it has committed. */
  putAll(store, values) {
    return new Promise((resolve, reject) => {
      const transaction = this.db.transaction(store, "readwrite", { durability: "strict" });
      const target = transaction.objectStore(store);
      for (const value of values) target.put(value);
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  delete(store, key) {
    return done(this.tx(store, "readwrite").delete(key));
  }

  clear(store) {
    return done(this.tx(store, "readwrite").clear());
  }
}
