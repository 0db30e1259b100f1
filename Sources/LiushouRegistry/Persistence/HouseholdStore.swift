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

    typealias NumberedHousehold = (village: UUID, code: String, id: UUID)

    /// The households of these villages with these numbers (户编号), as (village, code, id): one
    /// statement for a ledger's chunk, whatever it names. Each number is looked up on its own
    /// (`lateral … limit 1`, one probe of `household_code`): as a join, statistics that had not yet
    /// seen a large import's households made PostgreSQL hash the whole table instead, testing the
    /// read policy on every row (635 ms a chunk of 500 numbers against 100,000 households; 6 ms so).
    func ids(numbered codes: [(village: UUID, code: String)], in transaction: PostgresTransaction) async throws -> [NumberedHousehold] {
        try await transaction.query(
            """
            select u.village_id, u.code, h.id
            from unnest(\(codes.map(\.village))::uuid[], \(codes.map(\.code))::text[]) as u (village_id, code)
            cross join lateral (
                select h.id from household h where h.village_id = u.village_id and h.code = u.code and h.code is not null limit 1
            ) h
            """
        ).map { row in (try row.decode("village_id"), try row.decode("code"), try row.decode("id")) }
    }

    /// Stores new households, each filed under its unit (its grid, else its village), in one statement.
    func insertMany(_ households: [(household: Household, unit: UUID)], in transaction: PostgresTransaction) async throws {
        guard !households.isEmpty else { return }
        let rows = households.map(\.household)
        try await transaction.query(
            """
            insert into household (id, village_id, grid_id, unit_id, code, address)
            select * from unnest(\(rows.map(\.id))::uuid[], \(rows.map(\.villageId))::uuid[], \(PostgresNullableArray(rows.map(\.gridId)))::uuid[],
                \(households.map(\.unit))::uuid[], \(PostgresNullableArray(rows.map(\.code)))::text[], \(rows.map(\.address))::text[])
            """
        )
    }

    /// Stores a new household filed under `unit` (its grid, else its village).
    func insert(_ household: Household, unit: UUID, in transaction: PostgresTransaction) async throws {
        try await self.insertMany([(household, unit)], in: transaction)
    }
}
