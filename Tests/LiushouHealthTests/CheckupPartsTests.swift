import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@testable import LiushouHealth

/// A batch of at least 2,000 checkups is written as several transactions at once
/// (`CheckupRecorder.record(_:caller:in:parts:)`); its answers are those of one transaction.
@Suite("Checkup batches in parts")
struct CheckupPartsTests {
    @Test("2,000 rows with a repeated record far apart: each row answered as in one transaction, a retry adds nothing")
    func largeBatch() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                var items = (0..<1999).map { HealthWorld.checkup(record: "P\($0)", followUp: $0 % 500 == 0) }
                items.append(HealthWorld.checkup(record: "P7"))
                let first = try await client.post("/v1/checkups/batch", json: ["items": items], token: world.clinic)
                #expect(first.status == .ok, "\(first.text.prefix(500))")
                let answer = try first.decode(Answer.Batch.self)
                #expect(answer.created == 1999)
                #expect(answer.rejected == 1)
                #expect(answer.results.last?.fields == ["recordId"], "the repeat of row 7")
                #expect(answer.results.dropLast().allSatisfy { $0.status == "created" })
                let stored = try await database.pool.query(
                    """
                    select (select count(*) from checkup) as checkups,
                        (select count(*) from follow_up where checkup_id is not null) as follow_ups,
                        (select count(*) from person_event where module = 'health') as events,
                        (select count(*) from alert_event where event = 'checkup.follow_up') as checkup_alerts
                    """
                ).first!
                #expect(try stored.decode("checkups", as: Int.self) == 1999)
                #expect(try stored.decode("follow_ups", as: Int.self) == 8, "four rows need follow-up, two roles each")
                #expect(try stored.decode("events", as: Int.self) == 1999)
                // The four rows that need follow-up went to one part: one alert for the village and clinic, as
                // from one statement.
                #expect(try stored.decode("checkup_alerts", as: Int.self) == 1)

                let again = try await client.post("/v1/checkups/batch", json: ["items": items], token: world.clinic)
                let retried = try again.decode(Answer.Batch.self)
                #expect(retried.duplicate == 1999)
                #expect(retried.rejected == 1)
                #expect(try await database.pool.query("select count(*) as n from checkup").first!.decode("n", as: Int.self) == 1999)
            }
        }
    }

    @Test("the split: every row once, in order within its part, a record's rows together, records needing follow-up in the first part")
    func split() {
        let rows = (0..<3000).map { index in
            let record = index % 7 == 0 ? "R\(index % 50)" : "R\(index)"
            return CheckupRecorder.Row(
                index: index,
                input: CheckupInput(
                    recordId: record,
                    checkedOn: LocalDate(daysSince1970: 20_000),
                    kind: .freeClinic,
                    followUpNeeded: index % 97 == 0,
                    clinician: "王医生"
                ),
                recordId: record,
                errors: []
            )
        }
        let following = Set(rows.filter { $0.input!.followUpNeeded }.map { $0.recordId! })
        #expect(following.count > 10)
        for count in 1...4 {
            let parts = CheckupRecorder.split(rows, into: count)
            #expect(parts.count == count)
            #expect(parts.flatMap { $0.map(\.index) }.sorted() == Array(0..<3000))
            #expect(parts.allSatisfy { part in part.map(\.index) == part.map(\.index).sorted() })
            var partOf: [String: Int] = [:]
            for (number, part) in parts.enumerated() {
                for row in part {
                    #expect(partOf[row.recordId!, default: number] == number, "record \(row.recordId!) in one part")
                    partOf[row.recordId!] = number
                }
            }
            #expect(following.allSatisfy { partOf[$0] == 0 }, "every record needing follow-up in the first part")
            #expect(CheckupRecorder.split(rows, into: count).map { $0.map(\.index) } == parts.map { $0.map(\.index) }, "the same split again")
        }
        #expect(TenantDatabase.parts(for: 1999, rowsPerPart: 1000) == 1)
        #expect(TenantDatabase.parts(for: 5000, rowsPerPart: 1000) == 2)
    }
}
