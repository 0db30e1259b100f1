import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Relief deadlines, overdue lists and appeals")
struct ReliefDeadlineTests {
    @Test("working days skip weekends in China Standard Time; emergency cases are due in 24 hours, others in the type's working days")
    func deadlines() async throws {
        try await TestPostgres.withDatabase { database in
            let cases: [(String, Int, String)] = [
                ("2026-11-27 10:00+08", 3, "2026-12-02 10:00+08"),  // Friday + 3 → Wednesday
                ("2026-11-28 09:00+08", 1, "2026-11-30 09:00+08"),  // Saturday + 1 → Monday
                ("2026-11-30 23:30+08", 5, "2026-12-07 23:30+08"),  // Monday + 5 → next Monday
                ("2026-11-27 18:00+00", 1, "2026-11-30 02:00+08"),  // Friday 18:00 UTC is Saturday 02:00 CST → Monday
            ]
            for (from, days, due) in cases {
                let equal = try await database.pool.query(
                    """
                    select relief_add_working_days(\(from)::timestamptz, \(days)::int) = \(due)::timestamptz as ok
                    """
                ).first!.decode("ok", as: Bool.self)
                #expect(equal, "\(from) + \(days) working days")
            }
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let emergency = try await Relief.file(
                    client,
                    token: cadre,
                    Relief.caseBody(person: world.elder, type: "emergency_help", urgency: "emergency")
                )
                let normal = try await Relief.file(client, token: cadre, Relief.caseBody(person: world.elder, type: "medical"))
                let hours = try await database.pool.query(
                    """
                    select extract(epoch from decision_due_at - submitted_at)::int / 3600 as h from relief_case where id = \(UUID(uuidString: emergency)!)
                    """
                ).first!.decode("h", as: Int.self)
                #expect(hours == 24)
                let normalDue = try await database.pool.query(
                    """
                    select decision_due_at = relief_add_working_days(submitted_at, 10) as ok from relief_case where id = \(UUID(uuidString: normal)!)
                    """
                ).first!.decode("ok", as: Bool.self)
                #expect(normalDue, "医疗救助 defaults to 10 working days")

                // The county sets its own deadline for a default type; new cases follow it, filed ones keep theirs.
                let county = try await client.login("county.admin")
                let set = try await client.post(
                    "/v1/relief/case-types",
                    json: [
                        "countyId": world.fixture.county.idString, "key": "medical", "name": "医疗救助（本县）", "decisionWorkingDays": 3,
                        "maxAmountFen": 500_000,
                    ],
                    token: county
                )
                #expect(set.status == .created, "\(set.text)")
                #expect(try set.json()["decisionWorkingDays"] as? Int == 3)
                // A line break after a key is not part of a key (the table's pattern refuses it too).
                let trailing = try await client.post(
                    "/v1/relief/case-types",
                    json: ["countyId": world.fixture.county.idString, "key": "winter_fuel\n", "name": "冬季取暖", "decisionWorkingDays": 3],
                    token: county
                )
                #expect(trailing.status == .unprocessableContent, "\(trailing.text)")
                // The same new type sent twice at once (a double click, or a retry of a lost answer): one is
                // created, the other answered with it; other content under the key is told the type exists.
                let fuel = try JSONSerialization.data(withJSONObject: [
                    "countyId": world.fixture.county.idString, "key": "winter_fuel", "name": "冬季取暖", "decisionWorkingDays": 3,
                ])
                async let first = client.send(.post, "/v1/relief/case-types", body: fuel, contentType: "application/json", token: county)
                async let second = client.send(.post, "/v1/relief/case-types", body: fuel, contentType: "application/json", token: county)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])
                let renamed = try await client.post(
                    "/v1/relief/case-types",
                    json: ["countyId": world.fixture.county.idString, "key": "winter_fuel", "name": "冬季取暖补贴", "decisionWorkingDays": 3],
                    token: county
                )
                #expect(renamed.status == .conflict && renamed.text.contains("type_exists"), "\(renamed.text)")
                let types = try await client.send(.get, "/v1/relief/case-types?unitId=\(world.fixture.village1a.idString)", token: cadre)
                let medical = try types.decode(Read.Items<Read.CaseType>.self).items.first { $0.key == "medical" }
                #expect(medical?.decisionWorkingDays == 3)
                #expect(try types.decode(Read.Items<Read.CaseType>.self).items.count == 8, "the defaults and the county's winter_fuel")
                let child = try await Relief.file(client, token: cadre, Relief.caseBody(person: world.child, type: "medical", amount: 400_000))
                let childDue = try await database.pool.query(
                    """
                    select decision_due_at = relief_add_working_days(submitted_at, 3) as ok from relief_case where id = \(UUID(uuidString: child)!)
                    """
                ).first!.decode("ok", as: Bool.self)
                #expect(childDue)
                let tooMuch = try await client.post(
                    "/v1/relief/cases",
                    json: Relief.caseBody(person: world.child, type: "medical", amount: 500_001),
                    token: cadre
                )
                #expect(tooMuch.status == .unprocessableContent, "the county's ceiling applies: \(tooMuch.text)")
                #expect(tooMuch.text.contains("amountRequestedFen"))
                let keptDue = try await database.pool.query(
                    """
                    select decision_due_at = relief_add_working_days(submitted_at, 10) as ok from relief_case where id = \(UUID(uuidString: normal)!)
                    """
                ).first!.decode("ok", as: Bool.self)
                #expect(keptDue)
                let otherTown = try await client.send(.get, "/v1/relief/case-types?unitId=\(world.fixture.village2a.idString)", token: cadre)
                #expect(otherTown.status == .notFound)
            }
        }
    }

    @Test("the county's calendar: holidays are not working days, weekend days worked in exchange are; deadlines of new cases follow it")
    func calendar() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let county = try await client.login("county.admin")
                var days: [[String: Any]] = (1...7).map { ["day": "2026-10-0\($0)", "working": false, "note": "国庆节"] }
                days.append(["day": "2026-09-27", "working": true, "note": "国庆调休上班"])
                let set = try await client.send(
                    .put,
                    "/v1/relief/calendar",
                    json: ["countyId": world.fixture.county.idString, "days": days],
                    token: county
                )
                #expect(set.status == .ok, "\(set.text)")
                let countyID = world.fixture.county.id
                let cases: [(String, Int, String)] = [
                    ("2026-09-30 10:00+08", 2, "2026-10-09 10:00+08"),  // the National Day week does not count
                    ("2026-09-25 10:00+08", 1, "2026-09-27 10:00+08"),  // the exchanged Sunday does
                ]
                for (from, count, due) in cases {
                    let equal = try await database.pool.query(
                        """
                        select relief_add_working_days(\(from)::timestamptz, \(count)::int, \(countyID)) = \(due)::timestamptz as ok
                        """
                    ).first!.decode("ok", as: Bool.self)
                    #expect(equal, "\(from) + \(count) working days in the county")
                    let national = try await database.pool.query(
                        """
                        select relief_add_working_days(\(from)::timestamptz, \(count)::int) = \(due)::timestamptz as ok
                        """
                    ).first!.decode("ok", as: Bool.self)
                    #expect(!national, "without the county's calendar the deadline differs")
                }
                // The next fortnight off: a case filed now is due later than Monday to Friday alone would say.
                let today = try await database.pool.query("select (now() at time zone 'Asia/Shanghai')::date::text as d").first!.decode(
                    "d",
                    as: String.self
                )
                let fortnight: [[String: Any]] = try await database.pool.query(
                    """
                    select (\(today)::date + n)::text as d from generate_series(1, 14) as n
                    """
                ).map { ["day": try $0.decode("d", as: String.self), "working": false, "note": "测试"] }
                #expect(
                    try await client.send(
                        .put,
                        "/v1/relief/calendar",
                        json: ["countyId": world.fixture.county.idString, "days": fortnight],
                        token: county
                    ).status == .ok
                )
                let cadre = try await client.login("village1a.cadre")
                let id = try await Relief.file(client, token: cadre, Relief.caseBody(person: world.elder, type: "temporary"))
                let row = try await database.pool.query(
                    """
                    select decision_due_at = relief_add_working_days(submitted_at, 5, \(countyID)) as follows,
                        decision_due_at > relief_add_working_days(submitted_at, 5) + interval '13 days' as later
                    from relief_case where id = \(UUID(uuidString: id)!)
                    """
                ).first!
                #expect(try row.decode("follows", as: Bool.self))
                #expect(try row.decode("later", as: Bool.self))
                let read = try await client.send(.get, "/v1/relief/calendar?unitId=\(world.fixture.village1a.idString)&year=2026", token: cadre)
                #expect(read.status == .ok)
                let listed = try read.decode(Read.Items<Read.Day>.self).items.map(\.day)
                #expect(listed.contains("2026-10-01") && listed.contains("2026-09-27"))
                let other = try await client.send(.get, "/v1/relief/calendar?unitId=\(world.fixture.village2a.idString)", token: cadre)
                #expect(other.status == .notFound)
                let twice = try await client.send(
                    .put,
                    "/v1/relief/calendar",
                    json: [
                        "countyId": world.fixture.county.idString,
                        "days": [["day": "2026-10-01", "working": false], ["day": "2026-10-01", "working": true]],
                    ],
                    token: county
                )
                #expect(twice.status == .unprocessableContent)
                #expect(twice.text.contains("days"))
            }
        }
    }

    @Test("the town's overdue list: cases awaiting a decision past their deadline, under the unit only")
    func overdue() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let late1 = try await Relief.caseAt("submitted", person: world.elder, type: "temporary", client: client).id
                let late2 = try await Relief.caseAt("village_reviewed", person: world.woman, type: "temporary", client: client, village: "village1b")
                    .id
                let decided = try await Relief.caseAt("approved", person: world.child, type: "temporary", client: client).id
                let onTime = try await Relief.caseAt("submitted", person: world.child, type: "medical", client: client).id
                let elsewhere = try await Relief.file(
                    client,
                    token: try await client.login("village2a.cadre"),
                    Relief.caseBody(person: world.other, type: "temporary")
                )
                for (id, hours) in [(late1, 50), (late2, 30), (decided, 80), (elsewhere, 10)] {
                    try await database.pool.query(
                        """
                        update relief_case set decision_due_at = now() - make_interval(hours => \(hours)::int) where id = \(UUID(uuidString: id)!)
                        """
                    )
                }
                let relief = try await client.login("town1.relief")
                let list = try await client.send(.get, "/v1/relief/overdue?unitId=\(world.fixture.town1.idString)", token: relief)
                #expect(list.status == .ok, "\(list.text)")
                let items = try list.decode(Read.Items<Read.Overdue>.self).items
                #expect(items.map { $0.caseId.lowercased() } == [late1, late2], "oldest deadline first; not decided, on-time or other towns")
                #expect(items.first.map { (49...51).contains($0.hoursLate) } == true)
                #expect(items.first?.villageName == "甲村")
                #expect(!items.contains { $0.caseId.lowercased() == onTime })
                let village = try await client.send(.get, "/v1/relief/overdue?unitId=\(world.fixture.village1b.idString)", token: relief)
                #expect(try village.decode(Read.Items<Read.Overdue>.self).items.count == 1)
                let read = try await client.send(.get, "/v1/relief/cases/\(late1)", token: relief)
                #expect(try read.json()["overdue"] as? Bool == true)
                let county = try await client.login("county.admin")
                let all = try await client.send(.get, "/v1/relief/overdue?unitId=\(world.fixture.county.idString)", token: county)
                #expect(try all.decode(Read.Items<Read.Overdue>.self).items.count == 3)
                let stranger = try await client.send(
                    .get,
                    "/v1/relief/overdue?unitId=\(world.fixture.town1.idString)",
                    token: try await client.login("town2.relief")
                )
                #expect(stranger.status == .notFound)
                let cadre = try await client.send(
                    .get,
                    "/v1/relief/overdue?unitId=\(world.fixture.village1a.idString)",
                    token: try await client.login("village1a.cadre")
                )
                #expect(cadre.status == .forbidden)
                let missing = try await client.send(.get, "/v1/relief/overdue", token: relief)
                #expect(missing.status == .badRequest)
                #expect(missing.text.contains("unitId"))
            }
        }
    }

    @Test("a rejected case is appealed once: back to the town's decision with a fresh deadline; a second appeal is refused")
    func appeal() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let (id, version) = try await Relief.caseAt("rejected", person: world.elder, type: "minimum_living", client: client)
                let caseID = UUID(uuidString: id)!
                try await database.pool.query(
                    """
                    update relief_case set decision_due_at = now() - interval '3 days', decision_clock_from = now() - interval '40 days' where id = \(caseID)
                    """
                )
                let cadre = try await client.login("village1a.cadre")
                let blank = try await Relief.step(client, id, "appeal", token: cadre, version: version, extra: ["comment": "  "])
                #expect(blank.status == .unprocessableContent)
                #expect(blank.text.contains("comment"))
                let appealed = try await Relief.step(client, id, "appeal", token: cadre, version: version, extra: Relief.extra(for: "appeal"))
                #expect(appealed.status == .ok, "\(appealed.text)")
                let reliefCase = try appealed.decode(Read.Step.self).case
                #expect(reliefCase.state == "village_reviewed")
                #expect(reliefCase.appeals == 1)
                #expect(reliefCase.overdue == false)
                #expect(reliefCase.decidedAt == nil)
                let fresh = try await database.pool.query(
                    """
                    select decision_due_at = relief_add_working_days(decision_clock_from, 20) and decision_clock_from > now() - interval '1 minute' as ok
                    from relief_case where id = \(caseID)
                    """
                ).first!.decode("ok", as: Bool.self)
                #expect(fresh, "the deadline runs again from the appeal")
                let admin = try await client.login("town1.admin")
                #expect(try await Relief.step(client, id, "reject", token: admin, version: version + 1, extra: ["comment": "复核后仍不符合"]).status == .ok)
                let second = try await Relief.step(client, id, "appeal", token: cadre, version: version + 2, extra: Relief.extra(for: "appeal"))
                #expect(second.status == .conflict)
                #expect(try second.json()["code"] as? String == "appeal_used")
                let read = try await client.send(.get, "/v1/relief/cases/\(id)", token: cadre)
                #expect((try read.json()["allowedActions"] as? [String]) == [])
                let transitions = (try read.decode(Read.Case.self).transitions ?? []).map(\.action)
                #expect(transitions == ["review", "reject", "appeal", "reject"])

                // An appeal while another case of the type is open would make two: refused with a pointer.
                let (other, otherVersion) = try await Relief.caseAt("rejected", person: world.child, type: "temporary", client: client)
                let newer = try await Relief.file(client, token: cadre, Relief.caseBody(person: world.child, type: "temporary"))
                let clash = try await Relief.step(client, other, "appeal", token: cadre, version: otherVersion, extra: Relief.extra(for: "appeal"))
                #expect(clash.status == .conflict)
                #expect(try clash.json()["existingCaseId"] as? String == newer)
            }
        }
    }
}
