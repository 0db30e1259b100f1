import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
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

    @Test("a record stored meanwhile or hidden from the clinic: the part answers duplicate or conflict and stores nothing twice")
    func recordStoredMeanwhile() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                let caller = try await PlatformFixture.caller("clinic1.doctor", .clinicStaff, at: world.fixture.clinic1, in: database)
                let settings = TenantDatabase.scopeSettings(for: caller)
                func item(_ record: String, findings: String?) -> CheckupRecorder.Item {
                    CheckupRecorder.Item(
                        id: UUID.timeOrdered(),
                        content: CheckupRules.Content(
                            personId: UUID(uuidString: world.child)!,
                            clinicId: world.fixture.clinic1.id,
                            recordId: record,
                            checkedOn: LocalDate(daysSince1970: HealthWorld.today.daysSince1970 - 3),
                            kind: .freeClinic,
                            measurements: [],
                            diagnoses: [],
                            findings: findings,
                            followUpNeeded: false,
                            clinician: "王医生"
                        ),
                        accountName: "clinic1.doctor",
                        summary: "义诊"
                    )
                }
                func record(_ items: [CheckupRecorder.Item], in transaction: PostgresTransaction) async throws -> [UUID: (UUID?, String)] {
                    var answers: [UUID: (UUID?, String)] = [:]
                    for row in try await transaction.query("select * from checkups_record(\(CheckupRecorder.json(items))::jsonb)") {
                        answers[try row.decode("input_id")] = (try row.decode("id", as: UUID?.self), try row.decode("status"))
                    }
                    return answers
                }
                for (number, changed) in [false, true].enumerated() {
                    let first = item("MEANWHILE-\(number)", findings: nil)
                    let second = item("MEANWHILE-\(number)", findings: changed ? "复诊时补记" : nil)
                    let fresh = item("FRESH-\(number)", findings: nil)
                    let (release, releaser) = AsyncStream<Void>.makeStream()
                    let (stored, storedSignal) = AsyncStream<Void>.makeStream()
                    // The first transaction stores the record and holds its commit until the second waits on it.
                    let holder = Task {
                        try await database.appPool.withTransaction(settings: settings) { transaction in
                            let answers = try await record([first], in: transaction)
                            storedSignal.yield()
                            for await _ in release { break }
                            return answers
                        }
                    }
                    for await _ in stored { break }
                    let waiter = Task {
                        try await database.appPool.withTransaction(settings: settings) { transaction in
                            try await record([fresh, second], in: transaction)
                        }
                    }
                    let waiting = try await database.lockWaits(atLeast: 1, inStatementsContaining: "checkups_record", interval: .milliseconds(20))
                    #expect(waiting == 1, "the second transaction waits on the first one's record")
                    releaser.yield()
                    let held = try await holder.value
                    let answers = try await waiter.value
                    #expect(held[first.id]?.1 == "created")
                    #expect(answers[fresh.id]?.0 == fresh.id && answers[fresh.id]?.1 == "created")
                    // A conflict names the stored checkup too, as a duplicate does.
                    #expect(answers[second.id]?.0 == first.id)
                    #expect(answers[second.id]?.1 == (changed ? "conflict" : "duplicate"))
                }
                // A record stored for a child who has since moved out of the clinic's villages: hidden from the
                // clinic, it is still taken, and the row naming it again answers conflict without naming it.
                let hidden = item("HIDDEN", findings: nil)
                _ = try await database.appPool.withTransaction(settings: settings) { try await record([hidden], in: $0) }
                try await database.pool.query(
                    """
                    update person set village_id = \(world.fixture.village1b.id), grid_id = null, unit_id = \(world.fixture.village1b.id)
                    where id = \(UUID(uuidString: world.child)!)
                    """
                )
                var again = item("HIDDEN", findings: nil)
                again.content.personId = UUID(uuidString: world.elder)!
                let answered = try await database.appPool.withTransaction(settings: settings) { try await record([again], in: $0) }
                #expect(answered[again.id]?.0 == nil && answered[again.id]?.1 == "conflict")
                let stored = try await database.pool.query(
                    """
                    select (select count(*) from checkup) as checkups,
                        (select count(*) from person_event where module = 'health') as events
                    """
                ).first!
                #expect(try stored.decode("checkups", as: Int.self) == 5, "each record once, and each fresh row")
                #expect(try stored.decode("events", as: Int.self) == 5)
            }
        }
    }
}
