import Foundation
import LiushouPostgres

/// Households and their members, under the caller's row-level security.
struct HouseholdStore: Sendable {
    /// One member as the household view lists it.
    struct Member: Encodable, Sendable {
        var id: UUID
        var name: String
        var categories: [String]
        var status: String
    }

    func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> Household? {
        guard let row = try await transaction.query("select id, village_id, grid_id, code, address, version from household where id = \(id)").first
        else { return nil }
        return Household(
            id: try row.decode("id"),
            villageId: try row.decode("village_id"),
            gridId: try row.decode("grid_id"),
            code: try row.decode("code"),
            address: try row.decode("address"),
            version: try row.decode("version")
        )
    }

    /// Members in name order.
    func members(of id: UUID, in transaction: PostgresTransaction) async throws -> [Member] {
        try await transaction.query(
            """
            select id, name, categories, status from person where household_id = \(id) order by name, id
            """
        ).map { row in
            Member(id: try row.decode("id"), name: try row.decode("name"), categories: try row.decode("categories"), status: try row.decode("status"))
        }
    }

    /// Stores a new household filed under `unit` (its grid, else its village).
    func insert(_ household: Household, unit: UUID, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into household (id, village_id, grid_id, unit_id, code, address)
            values (\(household.id), \(household.villageId), \(household.gridId), \(unit), \(household.code), \(household.address))
            """
        )
    }
}
