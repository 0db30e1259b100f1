import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Resolves the units and households a ledger names (village codes, grid and school names,
/// household numbers), once per distinct value.
struct LedgerResolver {
    let caller: Caller
    let transaction: PostgresTransaction
    private var villages: [String: UnitBrief?] = [:]
    private var grids: [String: UnitBrief?] = [:]
    private var schools: [String: UnitBrief?] = [:]
    private var households: [HouseholdKey: UUID] = [:]
    private let householdStore = HouseholdStore()

    init(caller: Caller, transaction: PostgresTransaction) {
        self.caller = caller
        self.transaction = transaction
    }

    /// Fills the row's unit ids; returns the person's unit (grid, else village), or `nil` with errors.
    mutating func resolve(_ row: inout LedgerRow, errors: inout [Problem.FieldError]) async throws -> UnitBrief? {
        let village: UnitBrief?
        if let cached = self.villages[row.villageCode] {
            village = cached
        } else {
            let found = try await self.transaction.query("select id from org_unit where code = \(row.villageCode) and kind = 'village' and active")
                .first?.decode("id", as: UUID.self)
            village = try await found.asyncMap { try await UnitBrief.load($0, in: self.transaction) } ?? nil
            self.villages[row.villageCode] = village
        }
        guard let village, self.caller.covers(village.path, in: .personArea) else {
            errors.append(.init(field: LedgerColumn.villageCode.rawValue, message: "no such active village in your scope"))
            return nil
        }
        row.file.villageId = village.id
        var unit = village
        if let gridName = row.gridName {
            let key = village.path + "/" + gridName
            if self.grids[key] == nil { self.grids[key] = try await self.byName("grid", gridName, within: village.path) }
            if let grid = self.grids[key] ?? nil, Caller.path(grid.path, isInside: village.path) {
                row.file.gridId = grid.id
                unit = grid
            } else {
                errors.append(.init(field: LedgerColumn.grid.rawValue, message: "no grid of this name in the village"))
            }
        }
        if !self.caller.holds(.personsWrite, at: unit.path) {
            errors.append(.init(field: LedgerColumn.villageCode.rawValue, message: "you may not file persons here"))
        }
        if let schoolName = row.schoolName {
            let county = String(village.path.split(separator: ".").first ?? "")
            let key = county + "/" + schoolName
            if self.schools[key] == nil { self.schools[key] = try await self.byName("school", schoolName, within: county) }
            if let school = self.schools[key] ?? nil {
                if row.file.child == nil {
                    row.file.child = PersonFile.Child()
                }
                row.file.child?.schoolId = school.id
            } else {
                errors.append(.init(field: LedgerColumn.school.rawValue, message: "no school of this name in the county"))
            }
        }
        return unit
    }

    /// The household each row names (`nil` for none), in the rows' order. Those not met before are
    /// looked up together; those the village does not have yet are created together, each as the
    /// first row naming it describes it (its grid, and its address or else its number).
    mutating func households(for rows: [(row: LedgerRow, unit: UnitBrief)]) async throws -> [UUID?] {
        let keys = rows.map { entry in entry.row.householdCode.map { HouseholdKey(village: entry.row.file.villageId, code: $0) } }
        var unknown: [(village: UUID, code: String)] = []
        var asked: Set<HouseholdKey> = []
        for (entry, key) in zip(rows, keys) {
            guard let key, let code = entry.row.householdCode, self.households[key] == nil, asked.insert(key).inserted else { continue }
            unknown.append((entry.row.file.villageId, code))
        }
        if !unknown.isEmpty {
            for found in try await self.householdStore.ids(numbered: unknown, in: self.transaction) {
                self.households[HouseholdKey(village: found.village, code: found.code)] = found.id
            }
            var new: [(household: Household, unit: UUID)] = []
            for (entry, key) in zip(rows, keys) {
                guard let key, let code = entry.row.householdCode, self.households[key] == nil else { continue }
                let household = Household(
                    id: UUID.timeOrdered(),
                    villageId: entry.row.file.villageId,
                    gridId: entry.row.file.gridId,
                    code: code,
                    address: entry.row.file.currentAddress ?? code,
                    version: 1
                )
                self.households[key] = household.id
                new.append((household, entry.unit.id))
            }
            try await self.householdStore.insertMany(new, in: self.transaction)
        }
        return keys.map { key in key.flatMap { self.households[$0] } }
    }

    /// A household number within its village, hashed from the village id's bytes and the number.
    private struct HouseholdKey: Hashable {
        var village: UUID
        var code: String
    }

    private func byName(_ kind: String, _ name: String, within path: String) async throws -> UnitBrief? {
        let rows = try await self.transaction.query("select * from liushou_unit_by_name(\(kind), \(name), \(path))")
        guard rows.count == 1, let row = rows.first else { return nil }
        return try UnitBrief(row: row)
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<Mapped>(_ transform: (Wrapped) async throws -> Mapped) async rethrows -> Mapped? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
