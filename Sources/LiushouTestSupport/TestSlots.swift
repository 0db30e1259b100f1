import Glibc

/// How many tests hold a database at once. Swift Testing starts every test of the suite together;
/// on a 2-core machine ~250 tests creating databases and opening connections at the same moment
/// starve PostgreSQL (connects time out) and the concurrency pool (timers fire seconds late), and
/// tests that bound a wait fail for the machine's sake. A test waits for a slot before its database
/// is created; `LIUSHOU_TEST_SLOTS` overrides the default of 24.
actor TestSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) {
        self.free = count
    }

    static let shared = TestSlots(
        ProcessInfoLite.environment("LIUSHOU_TEST_SLOTS").flatMap(Int.init).map { max(1, $0) } ?? 24
    )

    func acquire() async {
        if self.free > 0 {
            self.free -= 1
            return
        }
        await withCheckedContinuation { self.waiting.append($0) }
    }

    func release() {
        if self.waiting.isEmpty {
            self.free += 1
        } else {
            self.waiting.removeFirst().resume()
        }
    }
}

enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
