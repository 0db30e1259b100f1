import Foundation
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport
import Testing

/// The ledger import writes new files as a set (`PersonService.prepareMany` and `createMany`: one
/// statement a column array for the files, one for their history, one for their timeline). The same
/// files created one by one through `PersonService.create`, as the API does, must store the same.
@Suite("New files written as a set")
struct NewFilesAsASetTests {
    /// What a path left, read in its own transaction before it is rolled back.
    private struct Stored: Error, Equatable {
        var rows: [String]
        var files: [PersonFile?]
        var history: [String]
        var timeline: [String]
        var obligations: [String]
    }

    @Test("the same mixed files, one by one and as one set: the same rows, files, history, timeline and obligations")
    func setAndOneByOneAgree() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let caller = try await PlatformFixture.caller("county.admin", .countyAdmin, at: fixture.county, in: database)
            var bodies = [
                People.child(village: fixture.village1a, grid: fixture.grid1a, school: fixture.school1),
                // Quotes, braces, commas and a backslash: the characters array literals escape.
                People.child(name: "王\"小{明},\\二", sequence: 125, village: fixture.village1b),
                People.elder(village: fixture.village2a),
                People.elder(name: "赵 奶奶", sequence: 226, village: fixture.village1a),
            ]
            bodies[3]["idNumber"] = nil
            bodies[3]["sex"] = "female"
            bodies[3]["birthDate"] = "1947-06-01"
            bodies[3]["riskLevel"] = "high"
            bodies[1]["phone"] = "13900000002"
            let files = try bodies.map { try JSONDecoder().decode(PersonFile.self, from: JSONSerialization.data(withJSONObject: $0)) }
            let ids = files.map { _ in UUID.timeOrdered() }
            let repository = PostgresPersonRepository(vault: TestVault.shared)
            let service = PersonService(repository: repository, vault: TestVault.shared)
            let tenant = TenantDatabase(pool: database.appPool)

            let oneByOne = try await Self.stored(ids, repository: repository, tenant: tenant, caller: caller) { transaction in
                for (id, file) in zip(ids, files) {
                    _ = try await service.create(
                        id: id,
                        file: file,
                        caller: caller,
                        origin: AuditOrigin(requestID: nil, clientAddress: nil),
                        audit: false,
                        in: transaction
                    )
                }
            }
            let asASet = try await Self.stored(ids, repository: repository, tenant: tenant, caller: caller) { transaction in
                var entries: [(id: UUID, file: PersonFile, unit: UnitBrief)] = []
                for (id, file) in zip(ids, files) {
                    entries.append((id, file, try #require(try await UnitBrief.load(file.gridId ?? file.villageId, in: transaction))))
                }
                _ = try await service.createMany(try service.prepareMany(entries, caller: caller), in: transaction)
            }
            #expect(oneByOne.rows.count == 4 && oneByOne.files.allSatisfy { $0 != nil })
            #expect(oneByOne.obligations.count >= 4, "every file is owed visits")
            #expect(oneByOne.rows == asASet.rows)
            #expect(oneByOne.files == asASet.files)
            #expect(oneByOne.history == asASet.history)
            #expect(oneByOne.timeline == asASet.timeline)
            #expect(oneByOne.obligations == asASet.obligations)
        }
    }

    /// Runs `write` as `caller`, reads back what it stored for `ids` and rolls it back.
    private static func stored(
        _ ids: [UUID],
        repository: PostgresPersonRepository,
        tenant: TenantDatabase,
        caller: Caller,
        write: (PostgresTransaction) async throws -> Void
    ) async throws -> Stored {
        do {
            try await tenant.transaction(for: caller) { transaction in
                try await write(transaction)
                func texts(_ query: SQLQuery) async throws -> [String] {
                    try await transaction.query(query).map { try $0.decode("row", as: String.self) }
                }
                var files: [PersonFile?] = []
                for id in ids { files.append(try await repository.find(id, lock: false, in: transaction)?.file) }
                // Sealed values are encrypted afresh each time, and times are the transaction's: both are left out.
                throw Stored(
                    rows: try await texts(
                        """
                        select (to_jsonb(p) - 'id_number_sealed' - 'file' - 'created_at' - 'updated_at')::text as row
                        from person p where p.id = any(\(ids)) order by p.id
                        """
                    ),
                    files: files,
                    history: try await texts(
                        """
                        select (to_jsonb(c) - 'change_id' - 'id' - 'at')::text as row
                        from person_change c where c.person_id = any(\(ids)) order by c.person_id, c.field
                        """
                    ),
                    timeline: try await texts(
                        """
                        select (to_jsonb(e) - 'id' - 'at')::text as row
                        from person_event e where e.person_id = any(\(ids)) order by e.person_id, e.kind
                        """
                    ),
                    obligations: try await texts(
                        """
                        select (to_jsonb(o) - 'next_due_at')::text || ' due in ' || (o.next_due_at - now())::text as row
                        from visit_obligation o where o.person_id = any(\(ids)) order by o.person_id, o.rule_key
                        """
                    )
                )
            }
        } catch let stored as Stored {
            return stored
        }
        Issue.record("the transaction ended without reading back")
        return Stored(rows: [], files: [], history: [], timeline: [], obligations: [])
    }
}
