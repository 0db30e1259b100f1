import Foundation
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Testing

@Suite("Audit checkpoints")
struct AuditCheckpointTests {
    static let dataKey = String(repeating: "k", count: 40)
    static let key = AuditCheckpoint.Key(dataKey: Self.dataKey)

    @Test("rows deleted from the end leave the chain intact but miss the signed checkpoint; edited or foreign checkpoints are refused")
    func missingTail() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            let service = AuditCheckpointService(
                pool: database.appPool,
                key: Self.key,
                file: file,
                interval: .seconds(600),
                logger: TestPostgres.logger
            )
            try await PlatformApp.make(database).test(.router) { client in
                _ = try await client.login("town1.admin")
                let first = try #require(await service.write(after: nil))
                #expect(await service.write(after: first) == first, "an unchanged log writes nothing new")
                _ = try await client.login("village1a.cadre")
                _ = try await client.login("grid1a.worker")
                let second = try #require(await service.write(after: first))
                #expect(second != first)
                // Every chain's head, as the owner sees them: the application role's checkpoint names the whole log's, not its scope's.
                let heads = try await database.pool.query(
                    """
                    select string_agg(coalesce(h.chain::text, '-') || ':' || h.chain_position || ':' || encode(h.hash, 'hex'), ','
                        order by h.chain nulls first) as heads
                    from (select distinct on (a.chain) a.chain, a.chain_position, a.hash from audit_log a
                          order by a.chain, a.chain_position desc) h
                    """
                ).first?.decode("heads", as: String.self)
                #expect(second == heads)
            }
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.split(separator: "\n").count == 2)
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let intact = try await AuditCheckpoint.check(file: text, key: Self.key, owner: database.pool)
            #expect(intact.checkpoints == 2)
            #expect(intact.problem == nil)

            // Signed under another key, or a position edited: refused.
            let foreign = try await AuditCheckpoint.check(
                file: text,
                key: AuditCheckpoint.Key(dataKey: String(repeating: "x", count: 40)),
                owner: database.pool
            )
            let signer = try IdentifierVault.keyID(of: Self.dataKey)
            #expect(foreign.problem?.contains("signed under data key \(signer), which was not given") == true, "\(foreign.problem ?? "")")
            #expect(text.contains("\"key\":\"\(signer)\""), "each checkpoint names its data key")
            let lines = text.split(separator: "\n").map(String.init)
            var edited = try JSONDecoder().decode(AuditCheckpoint.self, from: Data(lines[1].utf8))
            edited.position -= 1
            let editedCheck = try await AuditCheckpoint.check(file: lines[0] + "\n" + (try edited.line()), key: Self.key, owner: database.pool)
            #expect(editedCheck.problem?.contains("signature") == true)

            // Someone with the owner's rights removes the newest rows: the chain alone still verifies.
            let firstPosition = try JSONDecoder().decode(AuditCheckpoint.self, from: Data(lines[0].utf8)).position
            try await database.pool.query("alter table audit_log disable trigger audit_log_no_update")
            try await database.pool.query("delete from audit_log where chain_position > \(firstPosition)")
            try await database.pool.query("alter table audit_log enable trigger audit_log_no_update")
            #expect(try await AuditVerifier(pool: database.pool).verify().problem == nil)
            let cut = try await AuditCheckpoint.check(file: text, key: Self.key, owner: database.pool)
            #expect(cut.checkpoints == 1)
            #expect(cut.problem?.contains("missing") == true, "\(cut)")
        }
    }

    @Test("a chain cut short below the newest position, or a checkpoint stripped of its heads, is caught")
    func chainCutShort() async throws {
        try await TestPostgres.withDatabase { database in
            // Rows of three towns: three chains (two towns could share one; pick paths in distinct chains).
            let paths = try await database.pool.query(
                """
                select distinct on (audit_log_stripe(p)) p::text as path
                from (select ('c.t' || n)::ltree as p from generate_series(1, 40) n) t order by audit_log_stripe(p), p limit 3
                """
            ).map { try $0.decode("path", as: String.self) }
            for round in 0..<2 {
                for path in paths {
                    try await database.pool.query(
                        "insert into audit_log (action, resource, result, unit_path) values ('test', \("r\(round)"), 'success', \(path)::ltree)"
                    )
                }
            }
            let checkpoint = try #require(try await AuditCheckpoint.take(pool: database.pool, key: Self.key))
            #expect(checkpoint.heads?.count == 3)
            #expect(try await AuditCheckpoint.check(file: try checkpoint.line(), key: Self.key, owner: database.pool).problem == nil)

            // Stripping the heads (to pass as a checkpoint of the newest row only) breaks the signature.
            var stripped = checkpoint
            stripped.heads = nil
            let strippedCheck = try await AuditCheckpoint.check(file: try stripped.line(), key: Self.key, owner: database.pool)
            #expect(strippedCheck.problem?.contains("signature") == true, "\(strippedCheck)")

            // The newest row of the first chain removed: the log's newest position is untouched and
            // every chain still links, but the checkpoint names the removed row.
            let victim = try #require(checkpoint.heads?.first)
            #expect(victim.position < checkpoint.position)
            try await database.pool.query("alter table audit_log disable trigger audit_log_no_update")
            try await database.pool.query("delete from audit_log where chain_position = \(victim.position)")
            #expect(try await AuditVerifier(pool: database.pool).verify().problem == nil)
            let check = try await AuditCheckpoint.check(file: try checkpoint.line(), key: Self.key, owner: database.pool)
            #expect(check.problem?.contains("row \(victim.position) is not the row the checkpoint") == true, "\(check)")
        }
    }
}
