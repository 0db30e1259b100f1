import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport

/// A hand-built town for the indicators (一乡: 甲村 with grid 甲村一组, and 乙村):
/// - A: child in 甲村一组, complete file, guardian confirmed, paired with a volunteer, a visit found a study need;
/// - B: child in 甲村, guardian assessed poor and no confirmation (incomplete), knocked 3 days and visited 10 days ago (both overdue), a safeguarding report;
/// - C: in 甲村, elder and left-behind woman at once (two groups), no employment recorded (incomplete), checked by the clinic 3 days ago;
/// - D: child filed in 乙村, later moved to 甲村 (complete);
/// - E: elder in 乙村 who exited; F: elder in 乙村 (complete); G: elder who joined 乙村 after last week's snapshot.
struct DashboardWorld {
    var fixture: PlatformFixture
    var ids: [String: String]
    var town: String
    var cadre: String

    static func make(_ database: TestDatabase, client: some TestClientProtocol) async throws -> DashboardWorld {
        let fixture = try await PlatformFixture.seed(database)
        try await database.pool.query(
            "insert into clinic_service_area (clinic_id, village_id) values (\(fixture.clinic1.id), \(fixture.village1a.id))"
        )
        let cadre = try await client.login("village1a.cadre")
        let town = try await client.login("town1.admin")
        var ids: [String: String] = [:]
        ids["A"] = try await Self.created(
            client.post(
                "/v1/persons",
                json: People.child(
                    name: "甲",
                    sequence: 101,
                    village: fixture.village1a,
                    grid: fixture.grid1a
                ),
                token: cadre
            )
        )
        var b = People.child(name: "乙", sequence: 103, village: fixture.village1a)
        var child = b["child"] as? [String: Any] ?? [:]
        child["guardianshipAssessment"] = "poor"
        child.removeValue(forKey: "guardianshipConfirmedOn")
        b["child"] = child
        ids["B"] = try await Self.created(client.post("/v1/persons", json: b, token: cadre))
        var c = People.elder(name: "丙", sequence: 224, village: fixture.village1a)
        c["categories"] = [
            ["category": "left_behind_elder", "startedOn": "2020-01-01"], ["category": "left_behind_woman", "startedOn": "2020-01-01"],
        ]
        ids["C"] = try await Self.created(client.post("/v1/persons", json: c, token: cadre))
        ids["D"] = try await Self.created(
            client.post("/v1/persons", json: People.child(name: "丁", sequence: 105, village: fixture.village1b), token: town)
        )
        ids["E"] = try await Self.created(
            client.post("/v1/persons", json: People.elder(name: "戊", sequence: 227, village: fixture.village1b), token: town)
        )
        ids["F"] = try await Self.created(
            client.post("/v1/persons", json: People.elder(name: "己", sequence: 229, village: fixture.village1b), token: town)
        )
        let exited = try await client.send(
            .post,
            "/v1/persons/\(ids["E"] ?? "")/exit",
            json: ["reason": "deceased", "exitedOn": "2026-01-10"],
            token: town,
            headers: [.ifMatch: "\"1\""]
        )
        guard exited.status == .ok else { throw FixtureError.loginFailed("exit: \(exited.text)", Int(exited.status.code)) }
        return DashboardWorld(fixture: fixture, ids: ids, town: town, cadre: cadre)
    }

    func id(_ name: String) -> String { self.ids[name] ?? "" }

    static func created(_ response: TestResponse) throws -> String {
        guard response.status == .created, let id = try response.json()["id"] as? String else {
            throw FixtureError.loginFailed("create: \(response.text)", Int(response.status.code))
        }
        return id.lowercased()
    }

    /// A door check `daysAgo` days back.
    static func check(person: String, kind: String, daysAgo: Double, needs: [String] = []) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        return [
            "id": UUID().uuidString, "personId": person, "occurredAt": formatter.string(from: Date().addingTimeInterval(-daysAgo * 86_400)),
            "channel": "in_person", "kind": kind, "outcome": needs.isEmpty ? "all_well" : "needs_follow_up", "needs": needs,
        ]
    }
}
