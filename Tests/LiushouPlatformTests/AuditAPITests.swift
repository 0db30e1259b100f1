import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Audit API")
struct AuditAPITests {
    @Test("auditors page through records in their scope; others are refused; CSV exports with a BOM")
    func listing() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                for name in ["一组", "二组", "三组"] {
                    _ = try await client.post(
                        "/v1/units",
                        json: ["kind": "grid", "name": name, "parentId": fixture.village1b.idString],
                        token: admin
                    )
                }
                let auditor = try await client.login("county.auditor")
                let first = try await client.send(.get, "/v1/audit?limit=2", token: auditor)
                #expect(first.status == .ok)
                let page = try first.json()
                #expect((page["items"] as? [Any])?.count == 2)
                let cursor = try #require(page["nextCursor"] as? String)
                let rest = try await client.send(.get, "/v1/audit?limit=100&after=\(cursor)", token: auditor)
                let items = try rest.json()["items"] as? [[String: Any]] ?? []
                #expect(items.count == 3)
                #expect(try rest.json()["nextCursor"] == nil || (try rest.json()["nextCursor"] is NSNull))
                let creates = try await client.send(.get, "/v1/audit?action=unit.create", token: auditor)
                #expect((try creates.json()["items"] as? [Any])?.count == 3)
                let csv = try await client.send(.get, "/v1/audit?format=csv", token: auditor)
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(csv.text.hasPrefix("\u{FEFF}position,time"))
                #expect(csv.text.split(separator: "\r\n").count == 6)

                let town2Admin = try await PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
                    .user("town2.admin", password: PlatformFixture.password, home: fixture.town2, grants: [(.townAdmin, fixture.town2)])
                _ = town2Admin
                let otherTown = try await client.login("town2.admin")
                let scoped = try await client.send(.get, "/v1/audit?action=unit.create", token: otherTown)
                #expect((try scoped.json()["items"] as? [Any])?.count == 0)

                let cadre = try await client.login("village1a.cadre")
                #expect(try await client.send(.get, "/v1/audit", token: cadre).status == .forbidden)
                let denied = try await database.pool.query(
                    """
                    select account_name, record_id, result from audit_log where action = 'access.denied'
                    """
                )
                #expect(
                    try denied.map { try $0.decode((String, String, String).self) }.contains { $0 == ("village1a.cadre", "GET /v1/audit", "denied") }
                )
                #expect(try await client.send(.get, "/v1/audit").status == .unauthorized)
                let bad = try await client.send(.get, "/v1/audit?limit=0&from=yesterday&format=xml", token: auditor)
                #expect(bad.status == .unprocessableContent)
                let fields = (try bad.json()["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect(Set(fields) == ["limit", "from", "format"])
                // A time with its offset, as people type it (`+` not percent-encoded) and as a form encodes it.
                for from in ["2020-01-01T00:00:00+08:00", "2020-01-01T00:00:00%2B08:00"] {
                    let offset = try await client.send(.get, "/v1/audit?from=\(from)&to=2100-01-01T00:00:00+08:00", token: auditor)
                    #expect(offset.status == .ok, "\(from): \(offset.text)")
                }
            }
        }
    }
}

@Suite("Audit verify API")
struct AuditVerifyAPITests {
    @Test("GET /v1/audit/verify reports an intact chain, then the first altered row; audit.read only")
    func verify() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                _ = try await client.post("/v1/units", json: ["kind": "grid", "name": "一组", "parentId": fixture.village1b.idString], token: admin)
                let auditor = try await client.login("county.auditor")
                let intact = try await client.send(.get, "/v1/audit/verify", token: auditor)
                #expect(intact.status == .ok)
                let report = try intact.json()
                #expect(report["intact"] as? Bool == true)
                #expect((report["rows"] as? Int ?? 0) >= 3)
                #expect(report["problem"] == nil || report["problem"] is NSNull)

                let cadre = try await client.login("village1a.cadre")
                #expect(try await client.send(.get, "/v1/audit/verify", token: cadre).status == .forbidden)

                try await database.pool.query("alter table audit_log disable trigger audit_log_no_update")
                try await database.pool.query("update audit_log set result = 'failure' where chain_position = 2")
                try await database.pool.query("alter table audit_log enable trigger audit_log_no_update")
                let broken = try await client.send(.get, "/v1/audit/verify", token: auditor).json()
                #expect(broken["intact"] as? Bool == false)
                #expect((broken["rows"] as? Int).map { $0 < 5 } == true, "rows verified before the altered one")
                #expect((broken["problem"] as? String)?.contains("row 2 was altered") == true)
            }
        }
    }
}
