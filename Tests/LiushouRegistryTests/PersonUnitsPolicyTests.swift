import Foundation
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// The insert and update policies of `person` test a file's village, grid and school inline (0055).
/// For writers of different reach, every combination of fitting and unfitting units is written as
/// the application role, and what the policies let through is compared with what
/// `liushou_person_units_valid` and the writer's scope admit, read as the owner.
@Suite("Person policies test a file's units as liushou_person_units_valid does")
struct PersonUnitsPolicyTests {
    private struct Written: Error {
        var rows: Int
    }

    @Test("every village × grid × school combination, inserted and updated, by writers of three reaches, a relief officer and an auditor")
    func unitsTestedInline() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            let county2 = try await seeder.unit(.county, name: "邻县", code: "341123000000")
            let town3 = try await seeder.unit(.town, name: "邻乡", code: "341123100000", parent: county2)
            let school2 = try await seeder.unit(.school, name: "邻乡中心小学", parent: town3)
            let grid1b = try await seeder.unit(.grid, name: "乙村一组", parent: fixture.village1b)
            let villages = [fixture.village1a, fixture.village1b, fixture.village2a, fixture.grid1a]
            let grids: [OrgUnit?] = [nil, fixture.grid1a, grid1b, fixture.village1b]
            let schools: [OrgUnit?] = [nil, fixture.school1, school2, fixture.clinic1]
            // In the grid, so that every writer may change it.
            let stored = UUID()
            try await database.pool.query(Self.insert(id: stored, village: fixture.village1a, grid: fixture.grid1a, school: nil))

            // Besides three writers of different reach: a relief officer (reads files, writes none) and an
            // auditor (neither), so that a policy testing the wrong scope shows.
            let writers: [(role: Role, unit: OrgUnit)] = [
                (.countyAdmin, fixture.county), (.villageCadre, fixture.village1a), (.gridWorker, fixture.grid1a),
                (.reliefOfficer, fixture.county), (.auditor, fixture.county),
            ]
            var admitted = 0
            var refused = 0
            for writer in writers {
                let settings = Self.settings(writer.role, at: writer.unit)
                for village in villages {
                    for grid in grids {
                        for school in schools {
                            let unit = grid ?? village
                            // What the functions admit, asked as the owner under the writer's settings: the new unit
                            // writable and the units fitting; for an update, the stored file's unit writable too.
                            let (insertable, storedWritable) = try await database.pool.withTransaction(settings: settings) { transaction in
                                let row = try await transaction.query(
                                    """
                                    select liushou_unit_in_scope(\(unit.id), 'person_write')
                                        and liushou_person_units_valid(\(village.id), \(grid?.id), \(school?.id)) as insert,
                                        liushou_unit_in_scope(\(fixture.grid1a.id), 'person_write') as stored
                                    """
                                ).first!
                                return (try row.decode("insert", as: Bool.self), try row.decode("stored", as: Bool.self))
                            }
                            let place = "\(writer.role) writing \(village.name) / \(grid?.name ?? "-") / \(school?.name ?? "-")"
                            let inserted = try await Self.admits(database, settings: settings) {
                                Self.insert(id: UUID(), village: village, grid: grid, school: school)
                            }
                            #expect(inserted == insertable, "insert: \(place)")
                            let updated = try await Self.admits(database, settings: settings) {
                                """
                                update person set village_id = \(village.id), grid_id = \(grid?.id), unit_id = \(unit.id),
                                    school_id = \(school?.id)
                                where id = \(stored)
                                """
                            }
                            #expect(updated == (insertable && storedWritable), "update: \(place)")
                            if insertable { admitted += 1 } else { refused += 1 }
                        }
                    }
                }
            }
            // Ten combinations fit (four in 甲村, four in 乙村, two in 丙村); the county writer may file all ten, the
            // village cadre the four in 甲村, the grid worker the two in its grid, the relief officer and the auditor none.
            #expect(admitted == 16 && refused == 5 * 64 - 16, "\(admitted) admitted, \(refused) refused")
        }
    }

    @Test("households: every village × grid combination, inserted, updated and read, by writers of three reaches, a relief officer and an auditor")
    func householdUnitsTestedInline() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            let grid1b = try await seeder.unit(.grid, name: "乙村一组", parent: fixture.village1b)
            let villages = [fixture.village1a, fixture.village1b, fixture.village2a, fixture.grid1a]
            let grids: [OrgUnit?] = [nil, fixture.grid1a, grid1b, fixture.village1b]
            // In the grid, so that every writer may change it; and one in each unit, for the reads.
            let stored = UUID()
            try await database.pool.query(Self.insertHousehold(id: stored, village: fixture.village1a, grid: fixture.grid1a, code: "H-stored"))
            for (index, place) in [
                (fixture.village1a, nil), (fixture.village1a, fixture.grid1a), (fixture.village1b, grid1b), (fixture.village2a, nil),
            ]
            .enumerated() {
                try await database.pool.query(Self.insertHousehold(id: UUID(), village: place.0, grid: place.1, code: "H-read-\(index)"))
            }
            // Besides three writers of different reach: a relief officer (reads files, writes none) and an
            // auditor (neither), so that a policy testing the wrong scope shows.
            let writers: [(role: Role, unit: OrgUnit)] = [
                (.countyAdmin, fixture.county), (.villageCadre, fixture.village1a), (.gridWorker, fixture.grid1a),
                (.reliefOfficer, fixture.county), (.auditor, fixture.county),
            ]
            var admitted = 0
            for writer in writers {
                let settings = Self.settings(writer.role, at: writer.unit)
                for village in villages {
                    for grid in grids {
                        let unit = grid ?? village
                        // What 0003's functions admit, asked as the owner under the writer's settings: the new unit
                        // writable and the units fitting; for an update, the stored household's unit writable too.
                        let (insertable, storedWritable) = try await database.pool.withTransaction(settings: settings) { transaction in
                            let row = try await transaction.query(
                                """
                                select liushou_unit_in_scope(\(unit.id), 'person_write')
                                    and liushou_person_units_valid(\(village.id), \(grid?.id), null) as insert,
                                    liushou_unit_in_scope(\(fixture.grid1a.id), 'person_write') as stored
                                """
                            ).first!
                            return (try row.decode("insert", as: Bool.self), try row.decode("stored", as: Bool.self))
                        }
                        let updatable = insertable && storedWritable
                        let place = "\(writer.role) writing \(village.name) / \(grid?.name ?? "-")"
                        let inserted = try await Self.admits(database, settings: settings) {
                            Self.insertHousehold(id: UUID(), village: village, grid: grid, code: "H-new")
                        }
                        #expect(inserted == insertable, "insert: \(place)")
                        let updated = try await Self.admits(database, settings: settings) {
                            "update household set village_id = \(village.id), grid_id = \(grid?.id), unit_id = \(unit.id) where id = \(stored)"
                        }
                        #expect(updated == updatable, "update: \(place)")
                        if insertable { admitted += 1 }
                    }
                }
                // Reads: what the application role sees is what liushou_unit_in_scope (0003's read policy) admits,
                // asked as the owner (no row-level security) under the same settings.
                let visible = try await database.appPool.withTransaction(settings: settings) { transaction in
                    try await transaction.query("select code from household order by code").map { try $0.decode("code", as: String.self) }
                }
                let expected = try await database.pool.withTransaction(settings: settings) { transaction in
                    try await transaction.query("select code from household where liushou_unit_in_scope(unit_id, 'person_area') order by code")
                        .map { try $0.decode("code", as: String.self) }
                }
                #expect(visible == expected, "read: \(writer.role) \(visible)")
                if writer.role == .countyAdmin || writer.role == .reliefOfficer {
                    #expect(visible.count == 5, "the county's five households: \(visible)")
                }
                if writer.role == .auditor { #expect(visible.isEmpty, "an auditor reads no household: \(visible)") }
            }
            // Five combinations fit (two in 甲村: no grid or its grid; two in 乙村; one in 丙村): the county writer
            // may file all five, the village cadre the two in 甲村, the grid worker the one in its grid, the
            // relief officer and the auditor none.
            #expect(admitted == 8, "\(admitted) admitted")
        }
    }

    /// The scope settings of a caller holding `role` at `unit`, as the server sets them.
    private static func settings(_ role: Role, at unit: OrgUnit) -> [(name: String, value: String)] {
        TenantDatabase.scopeSettings(
            for: Caller(
                accountID: UUID(),
                name: "writer",
                kind: .user,
                grants: [Grant(role: role, unitID: unit.id, unitPath: unit.path)],
                credentialID: UUID()
            )
        )
    }

    private static func insertHousehold(id: UUID, village: OrgUnit, grid: OrgUnit?, code: String) -> SQLQuery {
        """
        insert into household (id, village_id, grid_id, unit_id, code, address)
        values (\(id), \(village.id), \(grid?.id), \((grid ?? village).id), \(code), '试村 1 号')
        """
    }

    /// Whether the application role may run `statement` under `settings`: rolled back either way.
    private static func admits(
        _ database: TestDatabase,
        settings: [(name: String, value: String)],
        _ statement: () -> SQLQuery
    ) async throws -> Bool {
        do {
            try await database.appPool.withTransaction(settings: settings) { transaction in
                throw Written(rows: try await transaction.query(statement()).affectedRows)
            }
            preconditionFailure("the transaction always throws")
        } catch let written as Written {
            return written.rows == 1
        } catch DatabaseError.server(let state, _) where state == "42501" {
            return false
        }
    }

    private static func insert(id: UUID, village: OrgUnit, grid: OrgUnit?, school: OrgUnit?) -> SQLQuery {
        """
        insert into person (id, village_id, grid_id, unit_id, name, name_grams, name_normalised, sex, birth_date, categories, status,
            school_id, risk_level, file, complete, missing_fields)
        values (\(id), \(village.id), \(grid?.id), \((grid ?? village).id), '试名', '{试,名,试名}', '试名', 'female', '2015-03-01',
            '{left_behind_child}', 'active', \(school?.id), 'normal', '{}', false, '{}')
        """
    }
}
