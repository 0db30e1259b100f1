import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Testing

@Suite("Rotation of the identifier key (LIUSHOU_DATA_KEY)")
struct KeyRotationTests {
    static let oldKey = "old-data-key-0123456789abcdef0123456789abcdef"
    static let newKey = "new-data-key-fedcba9876543210fedcba9876543210"

    /// Sealed bytes and digest exactly as the vault wrote them before values named their key.
    static func legacy(_ value: String, key secret: String) throws -> (sealed: Data, text: String, digest: Data) {
        let material = SymmetricKey(data: Data(secret.utf8))
        let salt = Data("liushou identifier vault".utf8)
        let sealing = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, salt: salt, info: Data("aes-256-gcm v1".utf8), outputByteCount: 32)
        let digestKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, salt: salt, info: Data("hmac-sha256 digest v1".utf8), outputByteCount: 32)
        let sealed = Data([1]) + (try AES.GCM.seal(Data(value.utf8), using: sealing).combined!)
        return (sealed, "v1:" + sealed.base64EncodedString(), Data(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: digestKey)))
    }

    @Test("the ring opens values under every key it holds, names the key it seals with, and finds digests of every form")
    func ring() throws {
        let number = People.idNumber(born: "1950-01-01", sequence: 11)
        let old = try IdentifierVault(secret: Self.oldKey)
        let ring = try IdentifierVault(secret: Self.newKey, previous: [Self.oldKey])
        let fresh = try IdentifierVault(secret: Self.newKey)
        let legacy = try Self.legacy(number, key: Self.oldKey)

        // Values from before key ids open under the old key, current or previous, and under nothing else.
        #expect(try old.open(legacy.sealed) == number)
        #expect(try old.openText(legacy.text) == number)
        #expect(try ring.open(legacy.sealed) == number)
        #expect(try ring.openText(legacy.text) == number)
        #expect(throws: IdentifierVault.VaultError.corrupt) { try fresh.open(legacy.sealed) }

        // New values name their key; the ring opens the old key's, a vault without it names the missing key.
        let underOld = try old.seal(number)
        #expect(IdentifierVault.keyLabel(sealed: underOld) == old.keyID)
        #expect(IdentifierVault.keyLabel(sealed: legacy.sealed) == "v1")
        #expect(try ring.open(underOld) == number)
        #expect(throws: IdentifierVault.VaultError.unknownKey(old.keyID)) { try fresh.open(underOld) }
        #expect(throws: IdentifierVault.VaultError.unknownKey(old.keyID)) { try fresh.openText(try old.sealText(number)) }
        #expect(try old.sealText(number).hasPrefix("v2:\(old.keyID):"))

        // Sealing and digests use the current key only; lookups cover every key and form.
        #expect(ring.keyID == fresh.keyID && ring.keyID != old.keyID)
        #expect(ring.keyIDs == [fresh.keyID, old.keyID])
        #expect(ring.isCurrent(sealed: try ring.seal(number)))
        #expect(!ring.isCurrent(sealed: underOld) && !ring.isCurrent(sealed: legacy.sealed))
        #expect(ring.isCurrent(sealedText: try ring.sealText(number)) && !ring.isCurrent(sealedText: legacy.text))
        #expect(ring.digest(number) == fresh.digest(number))
        #expect(ring.isCurrent(digest: ring.digest(number)) && !ring.isCurrent(digest: old.digest(number)) && !ring.isCurrent(digest: legacy.digest))
        let lookups = Set(ring.lookupDigests(number))
        #expect(lookups.isSuperset(of: [fresh.digest(number), old.digest(number), legacy.digest]))
        #expect(!lookups.contains(ring.digest(People.idNumber(born: "1950-01-01", sequence: 13))))

        #expect(throws: IdentifierVault.VaultError.duplicateKey) { try IdentifierVault(secret: Self.newKey, previous: [Self.newKey]) }
        #expect(throws: IdentifierVault.VaultError.secretTooShort) { try IdentifierVault(secret: Self.newKey, previous: ["short"]) }
    }

    @Test("keys rotate while the API serves: nothing lost, no version bumped, duplicates still found, the old key can go")
    func rotateWhileServing() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let old = try IdentifierVault(secret: Self.oldKey)
            let ring = try IdentifierVault(secret: Self.newKey, previous: [Self.oldKey])
            let child = People.idNumber(born: "2015-03-04", sequence: 123)
            let guardian = People.idNumber(born: "1950-01-01", sequence: 11)
            // Before: files and a volunteer under the old key, one file from before values named their key.
            let ids: [String] = try await PlatformApp.make(database, vault: old).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                var ids: [String] = []
                for (index, body) in [
                    People.child(village: fixture.village1a, grid: fixture.grid1a, school: fixture.school1),
                    People.elder(village: fixture.village1a), People.elder(name: "张爷爷", sequence: 226, village: fixture.village1a),
                    People.elder(name: "赵奶奶", sequence: 228, village: fixture.village1a),
                ].enumerated() {
                    let created = try await client.post("/v1/persons", json: body, token: cadre)
                    #expect(created.status == .created, "\(index): \(created.text)")
                    ids.append(try #require(try created.json()["id"] as? String).lowercased())
                }
                let volunteer: [String: Any] = [
                    "id": UUID().uuidString, "unitId": fixture.village1a.idString, "name": "孙老师", "phone": "13600136000",
                    "idNumber": People.idNumber(born: "1980-06-06", sequence: 311), "organisation": "party_member",
                    "skills": ["tutoring"], "availability": "周末", "screening": "pending",
                ]
                #expect(try await client.post("/v1/volunteers", json: volunteer, token: cadre).status == .created)
                // The alerts' secrets: a robot's webhook address and a user's phone.
                let robot: [String: Any] = [
                    "unitId": fixture.town1.idString, "kind": "wecom", "name": "一乡群",
                    "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=rotate-me-1234",
                ]
                #expect(try await client.post("/v1/alert-channels", json: robot, token: try await client.login("town1.admin")).status == .created)
                #expect(
                    try await client.send(.put, "/v1/me/contact", json: ["phone": "13912345678"], token: cadre, headers: [.ifMatch: "\"0\""]).status
                        == .ok
                )
                return ids
            }
            let legacyElder = People.idNumber(born: "1948-02-02", sequence: 226)
            let legacyRow = try Self.legacy(legacyElder, key: Self.oldKey)
            let legacyGuardian = try Self.legacy(guardian, key: Self.oldKey)
            try await database.pool.query(
                """
                update person set id_number_sealed = \(legacyRow.sealed), id_number_digest = \(legacyRow.digest) where id = \(UUID(uuidString: ids[2])!)
                """
            )
            try await database.pool.query(
                """
                update person set file = jsonb_set(file, '{child,guardian,idNumber}', to_jsonb(\(legacyGuardian.text)::text)) where id = \(UUID(uuidString: ids[0])!)
                """
            )
            let rotation = DataKeyRotation(vault: ring)
            #expect(try await rotation.census(owner: database.pool).map(\.left) == [4, 1, 0, 1, 1])

            try await PlatformApp.make(database, vault: ring).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                // Mid-rotation, the servers hold the ring: old values open, duplicates are found under either key.
                let revealed = try await client.send(
                    .get,
                    "/v1/persons/\(ids[0])?reveal=identifiers&reason=%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD",
                    token: cadre
                )
                #expect(revealed.text.contains(child) && revealed.text.contains(guardian), "\(revealed.text)")
                let twin = try await client.post(
                    "/v1/persons",
                    json: People.elder(name: "张爷爷二", sequence: 226, village: fixture.village1a),
                    token: cadre
                )
                #expect(twin.status == .conflict, "the legacy digest is found: \(twin.text)")

                // An edit and the rotation wait on the same row at once (a held lock lets both start
                // and queue); its version moves once, the others' not at all, and the edit is kept.
                let before = try await client.send(.get, "/v1/persons/\(ids[1])", token: cadre)
                var file = try #require(try before.json()["file"] as? [String: Any])
                file["currentAddress"] = "乙村 5 号"
                let body = try JSONSerialization.data(withJSONObject: file)
                let edited = try await database.pool.withTransaction { transaction in
                    try await transaction.query("select id from person where id = \(UUID(uuidString: ids[1])!) for update")
                    let edit = Task {
                        try await client.send(
                            .put,
                            "/v1/persons/\(ids[1])",
                            body: body,
                            contentType: "application/json",
                            token: cadre,
                            headers: [.ifMatch: "\"1\""]
                        )
                    }
                    let run = Task { try await rotation.run(owner: database.pool, batchSize: 2) }
                    let waiting = try await database.lockWaits(atLeast: 2, interval: .milliseconds(50))
                    #expect(waiting == 2, "the edit and the rotation both wait for the row")
                    return (edit, run)
                }
                let reports = try await edited.1.value
                #expect(try await edited.0.value.status == .ok)
                #expect(reports.map(\.table) == ["person", "volunteer", "account_totp", "alert_channel", "account_contact"])
                #expect(reports[3].resealed == 1 && reports[4].resealed == 1)
                #expect(reports.allSatisfy { $0.clashes.isEmpty })
                #expect(reports[1].resealed == 1)
            }
            #expect(try await rotation.census(owner: database.pool).map(\.left) == [0, 0, 0, 0, 0])
            let address = try await database.pool.query("select file->>'currentAddress' as a from person where id = \(UUID(uuidString: ids[1])!)")
                .first
            #expect(try address?.decode("a", as: String.self) == "乙村 5 号")
            let versions = try await database.pool.query("select id, version from person order by id").map {
                (try $0.decode("id", as: UUID.self).uuidString.lowercased(), try $0.decode("version", as: Int.self))
            }
            #expect(Dictionary(uniqueKeysWithValues: versions) == [ids[0]: 1, ids[1]: 2, ids[2]: 1, ids[3]: 1])
            let stored = try await database.pool.query(
                """
                select count(*) filter (where length(id_number_digest) <> 37) as legacy_digests,
                       count(*) filter (where file::text like '%"v1:%') as legacy_text from person
                """
            ).first!
            #expect(try stored.decode("legacy_digests", as: Int.self) == 0)
            #expect(try stored.decode("legacy_text", as: Int.self) == 0)
            let audit = try await database.pool.query(
                """
                select result, detail->>'person.left' as left from audit_log where action = 'data_key.rotate'
                """
            ).first
            #expect(try audit?.decode("result", as: String.self) == "success")
            #expect(try audit?.decode("left", as: String.self) == "0")
            // A second run finds nothing to do.
            #expect(try await rotation.run(owner: database.pool).map(\.resealed) == [0, 0, 0, 0, 0])
            let newOnly = try IdentifierVault(secret: Self.newKey)
            let sealedURL = try await database.pool.query("select target_sealed from alert_channel").first!.decode("target_sealed", as: Data.self)
            #expect(try newOnly.open(sealedURL) == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=rotate-me-1234")
            let sealedPhone = try await database.pool.query("select phone_sealed from account_contact").first!.decode("phone_sealed", as: Data.self)
            #expect(try newOnly.open(sealedPhone) == "13912345678")

            // After: the old key is dropped; every value opens and every duplicate is still found.
            try await PlatformApp.make(database, vault: try IdentifierVault(secret: Self.newKey)).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                for (id, number) in [(ids[0], child), (ids[2], legacyElder)] {
                    let revealed = try await client.send(
                        .get,
                        "/v1/persons/\(id)?reveal=identifiers&reason=%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD",
                        token: cadre
                    )
                    #expect(revealed.status == .ok && revealed.text.contains(number), "\(revealed.text)")
                }
                let guardianShown = try await client.send(
                    .get,
                    "/v1/persons/\(ids[0])?reveal=identifiers&reason=%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD",
                    token: cadre
                )
                #expect(guardianShown.text.contains(guardian))
                let twin = try await client.post(
                    "/v1/persons",
                    json: People.elder(name: "张爷爷二", sequence: 226, village: fixture.village1a),
                    token: cadre
                )
                #expect(twin.status == .conflict)
                let list = try await client.send(.get, "/v1/volunteers", token: cadre)
                #expect(list.status == .ok && list.text.contains("341122********"), "\(list.text)")
                let again: [String: Any] = [
                    "id": UUID().uuidString, "unitId": fixture.village1a.idString, "name": "孙老师二", "phone": "13600136001",
                    "idNumber": People.idNumber(born: "1980-06-06", sequence: 311), "organisation": "party_member",
                    "skills": ["tutoring"], "availability": "周末", "screening": "pending",
                ]
                let taken = try await client.post("/v1/volunteers", json: again, token: cadre)
                #expect(taken.status == .unprocessableContent && taken.text.contains("idNumber"), "\(taken.text)")
            }
        }
    }

    /// A file without its sealed values (the relatives without their ID numbers), as text.
    static let unsealedParts: SQLQuery = """
        (file - 'idNumber' - 'migrantFamily' || jsonb_build_object('family',
            (select jsonb_agg(m - 'idNumber') from jsonb_array_elements(file->'migrantFamily') m)))::text
        """

    @Test("a row no key opens is reported and the rest re-sealed; only sealed values change in a file; a volunteer retry spans the rotation")
    func unreadableRowsAndFileSurgery() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let volunteerID = UUID().uuidString
            let volunteer: @Sendable (String) -> [String: Any] = { name in
                [
                    "id": volunteerID, "unitId": fixture.village1a.idString, "name": name, "phone": "13600136000",
                    "idNumber": People.idNumber(born: "1980-06-06", sequence: 311), "organisation": "party_member",
                    "skills": ["tutoring"], "availability": "周末", "screening": "pending",
                ]
            }
            let ids: [UUID] = try await PlatformApp.make(database, vault: try IdentifierVault(secret: Self.oldKey)).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                var ids: [UUID] = []
                for (name, sequence) in [("李奶奶", 224), ("张爷爷", 226), ("赵奶奶", 228)] {
                    var body = People.elder(name: name, sequence: sequence, village: fixture.village1a)
                    body["notes"] = "旧编号 \"v1:AAAA\" 见纸质档案"
                    body["migrantFamily"] = [
                        [
                            "name": "李子", "relationship": "child", "phone": "13700137000", "workProvince": "广东省",
                            "idNumber": People.idNumber(born: "1975-01-01", sequence: sequence),
                        ]
                    ]
                    let created = try await client.post("/v1/persons", json: body, token: cadre)
                    #expect(created.status == .created, "\(created.text)")
                    let id = try #require(try created.json()["id"] as? String)
                    ids.append(try #require(UUID(uuidString: id)))
                }
                #expect(try await client.post("/v1/volunteers", json: volunteer("孙老师"), token: cadre).status == .created)
                return ids
            }
            // A field a later version may add, and one file whose number no key opens (damaged bytes).
            try await database.pool.query("update person set file = file || '{\"laterField\": {\"kept\": [1, 2.50, true]}}'::jsonb")
            try await database.pool.query(
                """
                update person set id_number_sealed = overlay(id_number_sealed placing '\\x00000000'::bytea from 10 for 4) where id = \(ids[1])
                """
            )
            let before = try await database.pool.query("select id, \(Self.unsealedParts) as rest from person").reduce(into: [UUID: String]()) {
                $0[try $1.decode("id", as: UUID.self)] = try $1.decode("rest", as: String.self)
            }

            let ring = try IdentifierVault(secret: Self.newKey, previous: [Self.oldKey])
            let rotation = DataKeyRotation(vault: ring)
            let reports = try await rotation.run(owner: database.pool, batchSize: 2)
            #expect(reports[0].unreadable == [ids[1]], "\(reports[0])")
            #expect(reports[0].resealed == 2)
            #expect(reports[1].resealed == 1)
            #expect(try await rotation.census(owner: database.pool).map(\.left) == [1, 0, 0, 0, 0], "only the damaged file is left")
            let audit = try await database.pool.query(
                "select result, detail->>'person.unreadable' as n from audit_log where action = 'data_key.rotate'"
            ).first
            #expect(try audit?.decode("result", as: String.self) == "failure")
            #expect(try audit?.decode("n", as: String.self) == "1")

            let after = try await database.pool.query("select id, \(Self.unsealedParts) as rest, file from person").map {
                (try $0.decode("id", as: UUID.self), try $0.decode("rest", as: String.self), try $0.decode("file", as: String.self))
            }
            let oldID = try IdentifierVault.keyID(of: Self.oldKey)
            for (id, rest, file) in after {
                #expect(rest == before[id], "nothing but sealed values changes")
                if id != ids[1] {
                    #expect(file.contains("\"v2:\(ring.keyID):") && !file.contains("\"v2:\(oldID):"), "\(file)")
                }
            }

            try await PlatformApp.make(database, vault: ring).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let retry = try await client.post("/v1/volunteers", json: volunteer("孙老师"), token: cadre)
                #expect(retry.status == .ok, "a retry after the rotation is the same request: \(retry.text)")
                #expect(try await client.post("/v1/volunteers", json: volunteer("孙老师二"), token: cadre).status == .conflict)
            }
        }
    }

    @Test("a second active file for the same number, written by a server that lacked the old key, is reported and left as it is")
    func clashIsReported() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let number = People.idNumber(born: "1948-02-02", sequence: 224)
            let first: String = try await PlatformApp.make(database, vault: try IdentifierVault(secret: Self.oldKey)).test(.router) { client in
                let created = try await client.post(
                    "/v1/persons",
                    json: People.elder(village: fixture.village1a),
                    token: try await client.login("village1a.cadre")
                )
                return try #require(try created.json()["id"] as? String).lowercased()
            }
            // Misconfigured: the new key without the old one cannot see the first file's digest.
            try await PlatformApp.make(database, vault: try IdentifierVault(secret: Self.newKey)).test(.router) { client in
                let twin = try await client.post(
                    "/v1/persons",
                    json: People.elder(name: "李奶奶二", village: fixture.village1a),
                    token: try await client.login("village1a.cadre")
                )
                #expect(twin.status == .created)
            }
            let rotation = DataKeyRotation(vault: try IdentifierVault(secret: Self.newKey, previous: [Self.oldKey]))
            let reports = try await rotation.run(owner: database.pool)
            #expect(reports[0].clashes.map { $0.uuidString.lowercased() } == [first])
            #expect(reports[0].resealed == 0)
            #expect(try await rotation.census(owner: database.pool).first?.left == 1)
            let audit = try await database.pool.query("select result from audit_log where action = 'data_key.rotate'").first
            #expect(try audit?.decode("result", as: String.self) == "failure")
            // The clashing file still opens under the ring.
            let sealed = try await database.pool.query("select id_number_sealed from person where id = \(UUID(uuidString: first)!)").first!
            #expect(
                try IdentifierVault(secret: Self.newKey, previous: [Self.oldKey]).open(try sealed.decode("id_number_sealed", as: Data.self)) == number
            )
        }
    }
}
