import LiushouPostgres
import Testing

@Suite("Read replica staleness")
struct ReplicaLagTests {
    @Test("WAL positions parse from PostgreSQL's text form and order by value")
    func positions() throws {
        #expect(WALPosition("16/B374D848")?.value == 0x16_B374_D848)
        #expect(WALPosition("0/0")?.value == 0)
        #expect(try #require(WALPosition("0/FFFFFFFF")) < #require(WALPosition("1/0")))
        for bad in ["", "16", "16/", "/1", "1/2/3", "G/1", "100000000/0", "0/100000000", " 1/2"] {
            #expect(WALPosition(bad) == nil, "\(bad)")
        }
    }

    @Test("the bound is the age of the newest primary sample the replica has replayed, and grows until the next")
    func bound() {
        let start = ContinuousClock.now
        var lag = ReplicaLag(keep: 10)
        #expect(lag.stalenessBound(now: start) == nil, "unknown before any check")
        lag.recordPrimary(WALPosition(value: 100), at: start)
        lag.recordPrimary(WALPosition(value: 200), at: start + .seconds(1))
        lag.recordPrimary(WALPosition(value: 300), at: start + .seconds(2))
        lag.recordReplica(WALPosition(value: 250), standby: true)
        #expect(lag.stalenessBound(now: start + .seconds(3)) == .seconds(2))
        #expect(lag.stalenessBound(now: start + .seconds(10)) == .seconds(9), "nothing new replayed: the bound keeps growing")
        #expect(lag.replicaIsStandby == true)
        // Caught up with the newest sample.
        lag.recordReplica(WALPosition(value: 300), standby: true)
        #expect(lag.stalenessBound(now: start + .seconds(3)) == .seconds(1))
        // A replica reporting an older position (another host of the URL, further behind) gets its own, larger bound.
        lag.recordReplica(WALPosition(value: 150), standby: true)
        #expect(lag.stalenessBound(now: start + .seconds(3)) == .seconds(3))
        lag.recordReplica(WALPosition(value: 50), standby: true)
        #expect(lag.stalenessBound(now: start + .seconds(3)) == nil, "behind every sample")
        // Any position is judged alone (a read's own connection).
        #expect(lag.bound(for: WALPosition(value: 299), now: start + .seconds(3)) == .seconds(2))
    }

    @Test("behind every sample kept, failed, or with nothing replayed: no bound, reads go to the primary")
    func unknown() {
        let start = ContinuousClock.now
        var lag = ReplicaLag(keep: 2)
        lag.recordPrimary(WALPosition(value: 100), at: start)
        lag.recordPrimary(WALPosition(value: 200), at: start + .seconds(1))
        lag.recordPrimary(WALPosition(value: 300), at: start + .seconds(2))
        lag.recordReplica(WALPosition(value: 150), standby: true)
        #expect(lag.stalenessBound(now: start + .seconds(3)) == nil, "the sample at 100 fell out of the window")
        lag.recordReplica(WALPosition(value: 300), standby: true)
        #expect(lag.stalenessBound(now: start + .seconds(3)) == .seconds(1))
        lag.replicaFailed()
        #expect(lag.stalenessBound(now: start + .seconds(3)) == nil)
        lag.recordReplica(nil, standby: true)
        #expect(lag.stalenessBound(now: start + .seconds(3)) == nil)
        lag.recordReplica(WALPosition(value: 300), standby: false)
        #expect(lag.stalenessBound(now: start + .seconds(3)) == .seconds(1))
        #expect(lag.replicaIsStandby == false)
    }
}
