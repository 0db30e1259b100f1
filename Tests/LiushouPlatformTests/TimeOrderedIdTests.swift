import Foundation
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// `liushou_uuid7()` (migration 0049): version 7 ids that start with the time they were made.
@Suite("Time-ordered ids")
struct TimeOrderedIdTests {
    @Test("10,000 ids in one statement: all distinct, version 7 with the RFC 9562 variant, stamped with the statement's milliseconds")
    func shape() async throws {
        try await TestPostgres.withDatabase { database in
            let row = try #require(
                try await database.pool.query(
                    """
                    with made as (
                        select floor(extract(epoch from clock_timestamp()) * 1000)::bigint as before,
                            array(select liushou_uuid7() from generate_series(1, 10000)) as ids,
                            floor(extract(epoch from clock_timestamp()) * 1000)::bigint as after
                    ), id as (
                        select m.before, m.after, i.id, ('x' || left(replace(i.id::text, '-', ''), 12))::bit(48)::bigint as ms
                        from made m cross join unnest(m.ids) as i (id)
                    )
                    select count(*) as ids,
                        count(distinct id) as distinct_ids,
                        count(*) filter (where substr(id::text, 15, 1) = '7') as version7,
                        count(*) filter (where substr(id::text, 20, 1) in ('8', '9', 'a', 'b')) as variant,
                        count(*) filter (where ms between before and after) as stamped
                    from id
                    """
                ).first
            )
            #expect(try row.decode("ids", as: Int.self) == 10000)
            #expect(try row.decode("distinct_ids", as: Int.self) == 10000)
            #expect(try row.decode("version7", as: Int.self) == 10000)
            #expect(try row.decode("variant", as: Int.self) == 10000)
            #expect(try row.decode("stamped", as: Int.self) == 10000)
        }
    }

    @Test("ids made in later milliseconds sort after earlier ones")
    func ordered() async throws {
        try await TestPostgres.withDatabase { database in
            var ids: [String] = []
            for _ in 0..<5 {
                let id = try await database.pool.query("select liushou_uuid7()::text as id, pg_sleep(0.002)").first!.decode("id", as: String.self)
                ids.append(id)
            }
            #expect(ids == ids.sorted(), "\(ids)")
            #expect(Set(ids.map { $0.prefix(13) }).count == 5, "five different milliseconds: \(ids)")
        }
    }

    @Test("UUID.timeOrdered(): version 7, the RFC 9562 variant, the time's milliseconds first; later ids sort later")
    func swiftIDs() {
        let at = Date(timeIntervalSince1970: 1_796_540_000.1234)
        let ids = (0..<1000).map { _ in UUID.timeOrdered(at: at) }
        #expect(Set(ids).count == 1000)
        for id in ids {
            let text = id.uuidString.lowercased()
            #expect(text.hasPrefix("01a24a20-e77b-7"), "\(text)")  // 1,796,540,000,123 ms
            #expect(Array(text)[14] == "7")
            #expect(["8", "9", "a", "b"].contains(Array(text)[19]))
        }
        let later = UUID.timeOrdered(at: at.addingTimeInterval(0.002)).uuidString.lowercased()
        #expect(ids.allSatisfy { $0.uuidString.lowercased() < later })
    }
}
