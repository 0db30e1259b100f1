import Foundation
import HTTPTypes
import LiushouPlatform
import LiushouPostgres

/// What every phase of a seed shares: the API, the logins' tokens, the county, the calendar.
struct DemoRun: Sendable {
    let api: DemoAPI
    let owner: PostgresConnectionPool
    let county: DemoCounty
    let tokens: [String: String]
    let today: DemoCalendar

    func token(_ username: String) -> String { self.tokens[username] ?? "" }

    func id(_ unit: UUID) -> String { unit.uuidString.lowercased() }

    /// Runs `body` for every item, `width` at a time (the pool and the two cores set the pace).
    func each<Item: Sendable>(_ items: [Item], width: Int = 6, _ body: @escaping @Sendable (Item) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < items.count && next < width {
                let item = items[next]
                group.addTask { try await body(item) }
                next += 1
            }
            while try await group.next() != nil {
                if next < items.count {
                    let item = items[next]
                    group.addTask { try await body(item) }
                    next += 1
                }
            }
        }
    }

    /// Each town's clinic serves the town's villages (set by the town, as through the API).
    func serviceAreas() async throws {
        let admins = ["demo.town", "demo.shuanghe.town"]
        for (town, clinic) in self.county.clinics.enumerated() {
            let villages = self.county.villages.filter { $0.town == town }.map { self.id($0.unit.id) }
            try await self.api.expect(
                .put,
                "/v1/units/\(self.id(clinic.id))/service-area",
                json: ["villageIds": villages],
                token: self.token(admins[town])
            )
        }
    }

    /// Households, registered by the cadre of their village.
    func register(households: [DemoHousehold]) async throws {
        try await self.each(households) { household in
            let village = self.county.villages[household.village]
            try await self.api.expect(
                .post,
                "/v1/households",
                json: [
                    "id": self.id(household.id), "villageId": self.id(village.unit.id), "gridId": self.id(village.grids[household.grid].id),
                    "code": household.code, "address": household.address,
                ],
                token: self.token(village.cadre)
            )
        }
    }

    /// People, each registered by the cadre of their village.
    func register(people: [DemoPerson]) async throws {
        try await self.each(people) { person in
            let response = try await self.api.send(
                .post,
                "/v1/persons",
                body: person.body,
                token: self.token(self.county.villages[person.village].cadre)
            )
            guard response.status == .created else {
                throw DemoError.refused(
                    "person \(person.name) answered \(response.status.code): \(String(decoding: response.body.prefix(600), as: UTF8.self))"
                )
            }
        }
    }
}
