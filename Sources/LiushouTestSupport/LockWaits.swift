import LiushouPostgres

extension TestDatabase {
    /// Polls until at least `count` backends of this database wait for a lock (only those whose
    /// statement contains `statement`, when given), or `attempts` polls `interval` apart have passed;
    /// returns how many waited at the last poll. Tests of races use it to know that the second
    /// writer reached the lock before the first one lets go.
    public func lockWaits(
        atLeast count: Int,
        inStatementsContaining statement: String? = nil,
        interval: Duration = .milliseconds(25),
        attempts: Int = 200
    ) async throws -> Int {
        var waiting = 0
        for _ in 0..<attempts where waiting < count {
            try await Task.sleep(for: interval)
            waiting =
                try await self.pool.query(
                    """
                    select count(*)::int as n from pg_stat_activity
                    where datname = current_database() and wait_event_type = 'Lock'
                      and (\(statement)::text is null or strpos(query, \(statement)::text) > 0)
                    """
                ).first?.decode("n", as: Int.self) ?? 0
        }
        return waiting
    }
}
