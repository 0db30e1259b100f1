import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport

/// The platform fixture plus people to visit: a child in grid 甲村一组, an elder in 甲村, a child in
/// the other town; the volunteer is paired with the first child; the clinic serves 甲村.
struct GridWorld {
    var fixture: PlatformFixture
    var child: String
    var elder: String
    var other: String

    static func make(_ database: TestDatabase, client: some TestClientProtocol) async throws -> GridWorld {
        let fixture = try await PlatformFixture.seed(database)
        let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
        try await seeder.user(
            "village2a.cadre",
            password: PlatformFixture.password,
            home: fixture.village2a,
            grants: [(.villageCadre, fixture.village2a)]
        )
        let cadre = try await client.login("village1a.cadre")
        let child = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(
                    name: "甲一",
                    sequence: 101,
                    village: fixture.village1a,
                    grid: fixture.grid1a,
                    school: fixture.school1
                ),
                token: cadre
            )
        )
        let elder = try await Self.created(try await client.post("/v1/persons", json: People.elder(village: fixture.village1a), token: cadre))
        let otherCadre = try await client.login("village2a.cadre")
        let other = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(name: "丙一", sequence: 105, village: fixture.village2a),
                token: otherCadre
            )
        )
        let volunteer = try await database.pool.query("select id from account where username = 'village1a.volunteer'").first!.decode(
            "id",
            as: UUID.self
        )
        try await database.pool.query(
            """
            insert into person_assignment (id, person_id, account_id, unit_id, source)
            values (\(UUID()), \(UUID(uuidString: child)!), \(volunteer), \(fixture.grid1a.id), 'pairing')
            """
        )
        try await database.pool.query(
            "insert into clinic_service_area (clinic_id, village_id) values (\(fixture.clinic1.id), \(fixture.village1a.id))"
        )
        return GridWorld(fixture: fixture, child: child, elder: elder, other: other)
    }

    static func created(_ response: TestResponse) async throws -> String {
        guard response.status == .created, let id = try response.json()["id"] as? String else {
            throw FixtureError.loginFailed("create person: \(response.text)", Int(response.status.code))
        }
        return id.lowercased()
    }
}

enum Checks {
    /// A check body; `occurred` is seconds before now.
    static func body(
        id: UUID = UUID(),
        person: String,
        kind: String = "grid_knock",
        outcome: String = "all_well",
        needs: [String] = [],
        occurred: TimeInterval = 60,
        notes: String? = nil
    ) -> [String: Any] {
        var body: [String: Any] = [
            "id": id.uuidString, "personId": person, "occurredAt": Self.timestamp(Date().addingTimeInterval(-occurred)),
            "channel": "in_person", "kind": kind, "outcome": outcome, "needs": needs,
        ]
        if let notes { body["notes"] = notes }
        return body
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A household of grid 1a filed as the owner, for tests that set up obligations in SQL.
    static func household(code: String, address: String, in fixture: PlatformFixture, _ transaction: PostgresTransaction) async throws -> UUID {
        let id = UUID()
        try await transaction.query(
            """
            insert into household (id, village_id, grid_id, unit_id, code, address)
            values (\(id), \(fixture.village1a.id), \(fixture.grid1a.id), \(fixture.grid1a.id), \(code), \(address))
            """
        )
        return id
    }

    /// A grid worker's knock on a household, written as the owner with its key claimed first (as
    /// door_checks_record does), for tests that set up obligations in SQL.
    static func knock(
        household: UUID,
        hoursAgo hours: Int,
        outcome: String,
        unit: UUID,
        cadre: UUID,
        _ transaction: PostgresTransaction
    ) async throws {
        try await transaction.query(
            """
            with key as (
                insert into door_check_key (id, occurred_at) values (\(UUID()), now() - make_interval(hours => \(hours)::integer))
                returning id, occurred_at
            )
            insert into door_check (id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, channel, kind,
                outcome, needs, content_hash)
            select key.id, \(household), \(unit), \(cadre), 'village1a.cadre', 'village_cadre', key.occurred_at, 'in_person', 'grid_knock',
                \(outcome), '{}', '\\x00'
            from key
            """
        )
    }
}
