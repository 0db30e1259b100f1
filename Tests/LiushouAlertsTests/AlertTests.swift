import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Logging
import Testing

@testable import LiushouAlerts

/// The fixture's people and a WeCom robot of town 1 pointing at a local receiver.
struct AlertWorld {
    var fixture: PlatformFixture
    var child: String
    var cadre: String
    var townAdmin: String

    static func make(_ database: TestDatabase, client: some TestClientProtocol) async throws -> AlertWorld {
        let fixture = try await PlatformFixture.seed(database)
        let cadre = try await client.login("village1a.cadre")
        let created = try await client.post(
            "/v1/persons",
            json: People.child(
                name: "王小明",
                sequence: 101,
                village: fixture.village1a,
                grid: fixture.grid1a,
                school: fixture.school1
            ),
            token: cadre
        )
        guard created.status == .created, let child = try created.json()["id"] as? String else {
            throw FixtureError.loginFailed("create person: \(created.text)", Int(created.status.code))
        }
        return AlertWorld(fixture: fixture, child: child.lowercased(), cadre: cadre, townAdmin: try await client.login("town1.admin"))
    }

    /// Adds a channel of town 1 through the API; its id.
    func channel(_ client: some TestClientProtocol, kind: String = "wecom", key: String, port: Int, secret: String? = nil) async throws -> String {
        var body: [String: Any] = ["unitId": self.fixture.town1.idString, "kind": kind, "name": "一乡工作群 \(key)"]
        switch kind {
        case "dingtalk": body["url"] = "http://127.0.0.1:\(port)/robot/send?access_token=\(key)"
        case "sms": body["phone"] = "110"
        default: body["url"] = "http://127.0.0.1:\(port)/cgi-bin/webhook/send?key=\(key)"
        }
        if let secret { body["secret"] = secret }
        let response = try await client.post("/v1/alert-channels", json: body, token: self.townAdmin)
        #expect(response.status == .created, "\(response.text)")
        return try #require(try response.json()["id"] as? String)
    }

    func report(_ client: some TestClientProtocol, details: String = "孩子独自在家三天") async throws {
        let response = try await client.post(
            "/v1/safeguarding-reports",
            json: ["personId": self.child, "kind": "living_alone", "details": details],
            token: self.cadre
        )
        #expect(response.status == .created, "\(response.text)")
    }
}

enum Alerts {
    static func inbox(_ client: some TestClientProtocol, _ username: String) async throws -> [InboxItem] {
        let token = try await client.login(username)
        let response = try await client.send(.get, "/v1/me/alerts", token: token)
        #expect(response.status == .ok, "\(response.text)")
        return try response.decode(ItemsBody<InboxItem>.self).items
    }

    static func fast(perMinute: Int = 1000, timeout: Duration = .seconds(5)) -> AlertDeliverySettings {
        var settings = AlertDeliverySettings()
        settings.pollInterval = .milliseconds(50)
        settings.tickInterval = .seconds(3600)
        settings.sendTimeout = timeout
        settings.retryBase = .milliseconds(200)
        settings.perTargetPerMinute = perMinute
        settings.maxAttempts = 5
        settings.publicURL = "https://liushou.example.gov.cn"
        return settings
    }

    /// Runs delivery services on the database while `body` runs.
    static func delivering<Result>(
        _ database: TestDatabase,
        services count: Int = 1,
        settings: AlertDeliverySettings = Alerts.fast(),
        _ body: () async throws -> Result
    ) async throws -> Result {
        let tasks = (0..<count).map { index in
            Task {
                let service = AlertDeliveryService(
                    pool: database.appPool,
                    vault: TestVault.shared,
                    settings: settings,
                    logger: Logger(label: "alerts-\(index)")
                )
                try await service.run()
            }
        }
        defer {
            for task in tasks { task.cancel() }
        }
        return try await body()
    }

    /// Waits until `condition` holds (up to `seconds`).
    static func eventually(_ seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    static func count(_ database: TestDatabase, _ query: SQLQuery) async throws -> Int {
        try await database.pool.query(query).first?.decode("n", as: Int.self) ?? -1
    }
}

@Suite("Alerts: events to inboxes (transactional outbox)")
struct AlertEventTests {
    @Test(
        "a committed mandatory report alerts each recipient once (inbox and robot), a rolled-back one nobody; the text holds no detail or identifier"
    )
    func committedAndRolledBack() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                _ = try await world.channel(client, key: "town1robot", port: 9)
                try await world.report(client, details: "SENTINEL-细节 邻居说孩子被打")
                for username in ["town1.supervisor", "town1.admin"] {
                    let items = try await Alerts.inbox(client, username)
                    #expect(items.count == 1, "\(username)")
                    let body = items.first?.body ?? ""
                    #expect(items.first?.title == "强制报告：儿童独居")
                    #expect(body.contains("王**") && body.contains("一乡·甲村·甲村一组"), "\(body)")
                }
                for username in ["county.admin", "village1a.cadre", "grid1a.worker", "town1.relief", "school1.teacher"] {
                    #expect(try await Alerts.inbox(client, username).isEmpty, "\(username)")
                }
                #expect(try await Alerts.count(database, "select count(*) as n from alert_delivery where channel = 'wecom'") == 1)
                let texts = try await database.pool.query("select title || body || facts::text as t from alert_event").map {
                    try $0.decode("t", as: String.self)
                }
                let idNumber = People.idNumber(born: "2015-03-04", sequence: 101)
                #expect(!texts.contains { $0.contains("SENTINEL") || $0.contains("王小明") || $0.contains(idNumber) })

                // The same insert in a transaction that rolls back leaves no event, inbox row or delivery.
                struct Abort: Error {}
                let village = world.fixture.village1a.id
                do {
                    try await database.pool.withTransaction { transaction in
                        try await transaction.query(
                            """
                            insert into safeguarding_report (id, unit_id, kind, details, reported_by, reporter_name)
                            select \(UUID()), \(village), 'missing', 'x', a.id, 'x' from account a where a.username = 'village1a.cadre'
                            """
                        )
                        #expect(try await transaction.query("select count(*) as n from alert_event").first?.decode("n", as: Int.self) == 2)
                        throw Abort()
                    }
                } catch is Abort {}
                #expect(try await Alerts.count(database, "select count(*) as n from alert_event") == 1)
                #expect(try await Alerts.count(database, "select count(*) as n from alert") == 2)
                #expect(try await Alerts.count(database, "select count(*) as n from alert_delivery") == 1)
            }
        }
    }

    @Test("the inbox is the user's own: unread filter, mark read (404 for another's), read all; 401 without a token")
    func inbox() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                try await world.report(client)
                try await world.report(client, details: "第二次")
                let supervisor = try await client.login("town1.supervisor")
                let page = try await client.send(.get, "/v1/me/alerts?unread=true&limit=1", token: supervisor)
                #expect(page.status == .ok)
                #expect(try page.json()["unread"] as? Int == 2)
                let first = try #require(try page.decode(ItemsBody<InboxItem>.self).items.first?.id)
                #expect(try await client.send(.post, "/v1/me/alerts/\(first)/read", token: world.cadre).status == .notFound)
                let read = try await client.send(.post, "/v1/me/alerts/\(first)/read", token: supervisor)
                #expect(read.status == .ok)
                let again = try await client.send(.post, "/v1/me/alerts/\(first)/read", token: supervisor)
                #expect(try again.json()["readAt"] as? String == (try read.json()["readAt"] as? String))
                let unread = try await client.send(.get, "/v1/me/alerts?unread=true", token: supervisor)
                #expect(try unread.json()["unread"] as? Int == 1)
                #expect(try unread.decode(ItemsBody<InboxItem>.self).items.count == 1)
                let all = try await client.send(.post, "/v1/me/alerts/read-all", token: supervisor)
                #expect(try all.json()["marked"] as? Int == 1)
                #expect(try await client.send(.get, "/v1/me/alerts?limit=0", token: supervisor).status == .badRequest)
                #expect(try await client.send(.get, "/v1/me/alerts").status == .unauthorized)
                // The town admin's copies are still unread.
                let admin = try await client.send(.get, "/v1/me/alerts", token: world.townAdmin)
                #expect(try admin.json()["unread"] as? Int == 2)
            }
        }
    }

    @Test("follow-ups alert the routed role once per unit and statement; checkups and guardianless children alert in groups")
    func followUpsAndGuardians() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let check: [String: Any] = [
                    "id": UUID().uuidString, "personId": world.child,
                    "occurredAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60)),
                    "channel": "in_person", "kind": "grid_knock", "outcome": "needs_follow_up", "needs": ["legal"], "notes": "SENTINEL-走访记录",
                ]
                #expect(try await client.post("/v1/door-checks", json: check, token: worker).status == .created)
                let legal = try await Alerts.inbox(client, "town1.legal")
                #expect(legal.count == 1)
                #expect(legal.first?.body.contains("法律") == true)
                #expect(try await Alerts.inbox(client, "town1.relief").isEmpty)

                var body = People.child(name: "李小花", sequence: 102, village: world.fixture.village1a)
                var child = body["child"] as! [String: Any]
                child["guardianshipAssessment"] = "poor"
                body["child"] = child
                #expect(try await client.post("/v1/persons", json: body, token: world.cadre).status == .created)
                let cadreInbox = try await Alerts.inbox(client, "village1a.cadre")
                #expect(cadreInbox.contains { $0.event == "person.no_capable_guardian" && $0.body.contains("李**") == true })
                let texts = try await database.pool.query("select title || body || facts::text as t from alert_event").map {
                    try $0.decode("t", as: String.self)
                }
                #expect(!texts.contains { $0.contains("SENTINEL") || $0.contains("李小花") })
            }
        }
    }

    @Test("rows of one transaction alert once per unit and role at commit: an offline batch of checks, several file changes")
    func grouping() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                var children = [world.child]
                for sequence in [102, 103] {
                    let created = try await client.post(
                        "/v1/persons",
                        json: People.child(
                            name: "孩子\(sequence)",
                            sequence: sequence,
                            village: world.fixture.village1a,
                            grid: world.fixture.grid1a
                        ),
                        token: world.cadre
                    )
                    children.append(try #require(try created.json()["id"] as? String))
                }
                let worker = try await client.login("grid1a.worker")
                let items: [[String: Any]] = children.map { child in
                    [
                        "id": UUID().uuidString, "personId": child,
                        "occurredAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-120)),
                        "channel": "in_person", "kind": "grid_knock", "outcome": "needs_follow_up", "needs": ["legal"],
                    ]
                }
                let batch = try await client.post("/v1/door-checks/batch", json: ["items": items], token: worker)
                #expect(batch.status.code < 300, "\(batch.text)")
                let legal = try await Alerts.inbox(client, "town1.legal")
                #expect(legal.count == 1)
                #expect(legal.first?.body.contains("3项") == true && legal.first?.body.contains("3人") == true, "\(legal)")

                // Three statements in one transaction (as a ledger import writes): one alert for the unit, counting three.
                try await database.pool.withTransaction { transaction in
                    for child in children {
                        try await transaction.query("update person set no_capable_guardian = true where id = \(UUID(uuidString: child)!)")
                    }
                }
                let cadre = try await Alerts.inbox(client, "village1a.cadre").filter { $0.event == "person.no_capable_guardian" }
                #expect(cadre.count == 1)
                #expect(cadre.first?.body.contains("3名") == true, "\(cadre)")
                // Already without a guardian: a further change alerts nobody; one child losing theirs later alerts again.
                try await database.pool.query("update person set no_capable_guardian = true where id = \(UUID(uuidString: children[0])!)")
                #expect(try await Alerts.count(database, "select count(*) as n from alert_event where event = 'person.no_capable_guardian'") == 1)
                try await database.pool.query("update person set no_capable_guardian = false where id = \(UUID(uuidString: children[0])!)")
                try await database.pool.query("update person set no_capable_guardian = true where id = \(UUID(uuidString: children[0])!)")
                #expect(try await Alerts.count(database, "select count(*) as n from alert_event where event = 'person.no_capable_guardian'") == 2)
                #expect(try await Alerts.count(database, "select count(*) as n from alert_staged") == 0)

                // A finish whose lease was claimed again meanwhile (another attempt) changes nothing.
                let claimed = try await database.pool.query("select id, attempts from alert_deliveries_claim(10, '1 minute', 100)")
                #expect(claimed.isEmpty, "no channel, nothing to send")
                let page = try await client.send(.get, "/v1/me/alerts?before=2020-01-01T00:00:00Z", token: world.cadre)
                #expect(page.status == .ok)
                #expect(try page.decode(ItemsBody<InboxItem>.self).items.isEmpty)
                #expect(try await client.send(.get, "/v1/me/alerts?before=yesterday", token: world.cadre).status == .badRequest)
                // Times far outside the service's years (once a 500 from PostgreSQL), a flag that is not one: 400 naming the parameter.
                for query in ["before=0001-01-01T00:04:00Z", "before=0000-01-01T00:00:00Z", "before=9999-12-31T00:00:00Z", "unread=maybe"] {
                    let refused = try await client.send(.get, "/v1/me/alerts?\(query)", token: world.cadre)
                    #expect(refused.status == .badRequest, "\(query): \(refused.text)")
                    #expect(refused.text.contains(String(query.prefix { $0 != "=" })), "\(query): \(refused.text)")
                }
                // An offset's `+` left unencoded arrives as a space: still that time.
                let offset = try await client.send(.get, "/v1/me/alerts?before=2020-01-01T08:00:00+08:00", token: world.cadre)
                #expect(offset.status == .ok, "\(offset.text)")
            }
        }
    }

    @Test("every default template renders with only known placeholders and no identifier; a county cannot write one")
    func templates() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let fixture = try await PlatformFixture.seed(database)
                let county = try await client.login("county.admin")
                let rules = try await client.send(.get, "/v1/alert-rules?countyId=\(fixture.county.idString)", token: county)
                #expect(rules.status == .ok, "\(rules.text)")
                let items = try rules.decode(ItemsBody<RuleItem>.self).items
                #expect(Set(items.map(\.event)) == Set(AlertEventKind.configurable.map(\.rawValue)))
                // Every template × every event's facts: the facts the SQL may give, with restricted values
                // beside them that no placeholder reaches.
                let facts: [String: String] = ["unit": "一乡·甲村", "person": "王**", "kind": "儿童独居", "count": "3", "due": "12月3日 14:05", "minutes": "30"]
                let restricted = ["details": "SENTINEL", "idNumber": "34112220150304101X", "diagnoses": "SENTINEL", "findings": "SENTINEL"]
                for event in AlertEventKind.allCases {
                    let rows = try await database.pool.query(
                        "select title_template || ' ' || body_template as t from alert_rule where event = \(event.rawValue)"
                    )
                    let template = try #require(try rows.first?.decode("t", as: String.self), "\(event)")
                    #expect(AlertTemplate.problem(in: template, maxLength: 400) == nil, "\(event): \(template)")
                    let rendered = try await database.pool.query(
                        "select alert_render(\(template), \(PostgresJSON(facts.merging(restricted) { $1 }))) as t"
                    )
                    .first!.decode("t", as: String.self)
                    #expect(
                        !rendered.contains("SENTINEL") && !rendered.contains("34112220150304101X") && !rendered.contains("{"),
                        "\(event): \(rendered)"
                    )
                }
                let change: [String: Any] = [
                    "enabled": true, "recipientRoles": ["town_admin"], "urgency": "immediate", "channels": ["inbox"],
                    "title": "强制报告 {idNumber}", "body": "请联系 13812345678",
                ]
                let refused = try await client.send(
                    .put,
                    "/v1/alert-rules/safeguarding.reported?countyId=\(fixture.county.idString)",
                    json: change,
                    token: county,
                    headers: [.ifMatch: "\"0\""]
                )
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                #expect(try refused.decode(ProblemBody.self).fields == ["title", "body"])
            }
        }
    }

    @Test("two saves of a rule or of contact settings at one version: one is kept, the other answers 412")
    func concurrentSaves() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let county = try await client.login("county.admin")
                let path = "/v1/alert-rules/safeguarding.reported?countyId=\(world.fixture.county.idString)"
                func rule(_ role: String) throws -> Data {
                    try JSONSerialization.data(withJSONObject: [
                        "enabled": true, "recipientRoles": [role], "urgency": "immediate", "channels": ["inbox"],
                        "title": "强制报告：{kind}", "body": "{unit} 有一份强制报告，请尽快确认。",
                    ])
                }
                let (town, supervisor) = (try rule("town_admin"), try rule("child_welfare_supervisor"))
                // Rounds from the default (two first overrides) and then from the county's override (two updates).
                var version = 0
                for round in 0..<4 {
                    let match: HTTPFields = [.ifMatch: "\"\(version)\""]
                    async let one = client.send(.put, path, body: town, contentType: "application/json", token: county, headers: match)
                    async let two = client.send(.put, path, body: supervisor, contentType: "application/json", token: county, headers: match)
                    let statuses = [try await one.status.code, try await two.status.code].sorted()
                    #expect(statuses == [200, 412], "round \(round)")
                    let stored = try await client.send(.get, "/v1/alert-rules?countyId=\(world.fixture.county.idString)", token: county)
                    version = try #require(try stored.decode(ItemsBody<RuleItem>.self).items.first { $0.event == "safeguarding.reported" }).version
                    #expect(version == round + 1)
                }
                // The user's own contact settings, saved from two devices at once.
                let (desk, phone) = (Data(#"{"wecomUserId":"wang.desk"}"#.utf8), Data(#"{"wecomUserId":"wang.phone"}"#.utf8))
                var contact = 0
                for round in 0..<4 {
                    let match: HTTPFields = [.ifMatch: "\"\(contact)\""]
                    async let one = client.send(
                        .put,
                        "/v1/me/contact",
                        body: desk,
                        contentType: "application/json",
                        token: world.cadre,
                        headers: match
                    )
                    async let two = client.send(
                        .put,
                        "/v1/me/contact",
                        body: phone,
                        contentType: "application/json",
                        token: world.cadre,
                        headers: match
                    )
                    let statuses = [try await one.status.code, try await two.status.code].sorted()
                    #expect(statuses == [200, 412], "contact round \(round)")
                    contact = try #require(try await client.send(.get, "/v1/me/contact", token: world.cadre).json()["version"] as? Int)
                    #expect(contact == round + 1)
                }
            }
        }
    }

    @Test("a county overrides a rule (If-Match, 412 when stale) and reverts it; a town admin reads but cannot change; others 403")
    func rules() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let county = try await client.login("county.admin")
                let path = "/v1/alert-rules/safeguarding.reported?countyId=\(world.fixture.county.idString)"
                let change: [String: Any] = [
                    "enabled": true, "recipientRoles": ["child_welfare_supervisor"], "urgency": "immediate",
                    "channels": ["inbox", "sms"], "title": "紧急：{kind}", "body": "{unit}：{kind}（{person}）", "smsTemplateId": "SMS_1234",
                ]
                #expect(try await client.send(.put, path, json: change, token: county).status == .preconditionRequired)
                let saved = try await client.send(.put, path, json: change, token: county, headers: [.ifMatch: "\"0\""])
                #expect(saved.status == .ok, "\(saved.text)")
                #expect(try saved.json()["source"] as? String == "county")
                #expect(try await client.send(.put, path, json: change, token: county, headers: [.ifMatch: "\"0\""]).status == .preconditionFailed)
                #expect(try await client.send(.put, path, json: change, token: world.townAdmin, headers: [.ifMatch: "\"1\""]).status == .forbidden)
                let read = try await client.send(.get, "/v1/alert-rules?countyId=\(world.fixture.county.idString)", token: world.townAdmin)
                #expect(read.status == .ok)
                #expect(
                    try await client.send(.get, "/v1/alert-rules?countyId=\(world.fixture.county.idString)", token: world.cadre).status == .forbidden
                )
                #expect(try await client.send(.get, "/v1/alert-rules?countyId=\(world.fixture.town1.idString)", token: county).status == .notFound)
                try await world.report(client)
                #expect(try await Alerts.inbox(client, "town1.admin").isEmpty)
                #expect((try await Alerts.inbox(client, "town1.supervisor").first?.title) == "紧急：儿童独居")
                var off = change
                off["enabled"] = false
                off["recipientRoles"] = ["volunteer"]
                let refused = try await client.send(.put, path, json: off, token: county, headers: [.ifMatch: "\"1\""])
                #expect(refused.status == .unprocessableContent)
                #expect(try refused.decode(ProblemBody.self).fields == ["enabled", "recipientRoles"])
                #expect(try await client.send(.delete, path, token: county).status == .preconditionRequired)
                #expect(try await client.send(.delete, path, token: county, headers: [.ifMatch: "\"0\""]).status == .preconditionFailed)
                let reverted = try await client.send(.delete, path, token: county, headers: [.ifMatch: "\"1\""])
                #expect(try reverted.json()["source"] as? String == "default")
            }
        }
    }
}

@Suite("Alerts: templates")
struct AlertTemplateTests {
    @Test("a template may not hold an ID or phone number, however its digits are written; counts and dates pass")
    func identifiersRefused() {
        for text in [
            "电话 13800138000", "身份证 34112220150304101X", "１３８００１３８０００", "1\u{301}3\u{301}8\u{301}0\u{301}0\u{301}1\u{301}3\u{301}8",
            "138\u{200B}0013\u{200B}8000", "١٣٨٠٠١٣٨٠٠٠",
        ] {
            #expect(AlertTemplate.problem(in: "{unit} \(text)", maxLength: 60) == "must not contain an ID or phone number", "\(text)")
        }
        for text in ["{unit}：{count} 人逾期", "12月3日 14:05 前", "2026-12-06", "共 123456 人", "第 1 2 3 4 5 6 7 项"] {
            #expect(AlertTemplate.problem(in: text, maxLength: 60) == nil, "\(text)")
        }
    }
}

@Suite("Alerts: delivery (outbox service)")
struct AlertDeliveryTests {
    @Test("a failing receiver is retried with back-off and gets the message once it recovers; WeCom's JSON with mentions")
    func retries() async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                _ = try await world.channel(client, key: "flaky", port: receiver.port)
                let supervisor = try await client.login("town1.supervisor")
                let contact = try await client.send(
                    .put,
                    "/v1/me/contact",
                    json: ["wecomUserId": "zhang.san"],
                    token: supervisor,
                    headers: [.ifMatch: "\"0\""]
                )
                #expect(contact.status == .ok, "\(contact.text)")
                await receiver.state.fail("flaky", times: 2)
                try await world.report(client)
                try await Alerts.delivering(database) {
                    let arrived1 = try await Alerts.eventually {
                        try await Alerts.count(database, "select count(*) as n from alert_delivery where status = 'sent'") == 1
                    }
                    #expect(arrived1)
                }
                let received = await receiver.state.all()
                #expect(received.count == 1)
                let json = try JSONDecoder().decode(RobotMessage.self, from: Data(received[0].body.utf8))
                #expect(json.msgtype == "text")
                let text = try #require(json.text)
                // A group chat reads what happened and where (town and village), never who, the grid or the category.
                let content = text.content
                #expect(content.hasPrefix("【留守关爱】强制报告\n一乡·甲村有一条新的强制报告提醒"), "\(content)")
                #expect(!content.contains("儿童独居") && !content.contains("王") && !content.contains("甲村一组"), "\(content)")
                #expect(text.content.contains("https://liushou.example.gov.cn/console/#/safeguarding"))
                #expect(text.mentioned_list == ["zhang.san"])
                #expect(try await Alerts.count(database, "select attempts as n from alert_delivery") == 3)
            }
        }
    }

    @Test(
        "DingTalk messages are signed (HMAC-SHA256 of timestamp and secret); a receiver refusing the signature makes a dead letter the admin retries"
    )
    func dingtalkAndDeadLetters() async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                await receiver.state.sign("signed", secret: "SECabc123")
                await receiver.state.sign("wrong", secret: "SECother")
                _ = try await world.channel(client, kind: "dingtalk", key: "signed", port: receiver.port, secret: "SECabc123\n")
                _ = try await world.channel(client, kind: "dingtalk", key: "wrong", port: receiver.port, secret: "SECabc123")
                let list = try await client.send(.get, "/v1/alert-channels", token: world.townAdmin)
                #expect(!list.text.contains("SECabc123") && !list.text.contains("access_token"))
                try await world.report(client)
                try await Alerts.delivering(database) {
                    let arrived2 = try await Alerts.eventually {
                        try await Alerts.count(database, "select count(*) as n from alert_delivery where status in ('sent', 'dead')") == 2
                    }
                    #expect(arrived2)
                }
                #expect(await receiver.state.all().map(\.key) == ["signed"])
                let dead = try await client.send(.get, "/v1/alert-deliveries", token: world.townAdmin)
                let items = try dead.decode(ItemsBody<DeliveryItem>.self).items
                #expect(items.count == 1)
                #expect(items.first?.lastError?.contains("310000") == true)
                let id = try #require(items.first?.id)
                #expect(try await client.send(.get, "/v1/alert-deliveries", token: world.cadre).status == .forbidden)
                #expect(try await client.send(.post, "/v1/alert-deliveries/\(id)/retry", token: try await client.login("county.admin")).status == .ok)
                #expect(try await client.send(.post, "/v1/alert-deliveries/\(id)/retry", token: world.townAdmin).status == .conflict)
                #expect(try await Alerts.count(database, "select count(*) as n from alert_delivery where status = 'pending' and attempts = 0") == 1)
            }
        }
    }

    @Test("a robot address that redirects is not followed: the delivery is dead, the other address gets nothing")
    func redirects() async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let body: [String: Any] = [
                    "unitId": world.fixture.town1.idString, "kind": "wecom", "name": "跳转",
                    "url": "http://127.0.0.1:\(receiver.port)/redirect/send?key=jump",
                ]
                #expect(try await client.post("/v1/alert-channels", json: body, token: world.townAdmin).status == .created)
                try await world.report(client)
                try await Alerts.delivering(database) {
                    let ended = try await Alerts.eventually {
                        try await Alerts.count(database, "select count(*) as n from alert_delivery where status = 'dead'") == 1
                    }
                    #expect(ended)
                }
                #expect(await receiver.state.all().isEmpty)
                #expect(
                    try await database.pool.query("select last_error from alert_delivery").first?.decode("last_error", as: String.self) == "HTTP 307"
                )
            }
        }
    }

    @Test("two servers draining one outbox deliver each alert once (by delivery id)")
    func twoServers() async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                _ = try await world.channel(client, key: "shared", port: receiver.port)
                try await database.pool.query(
                    """
                    insert into safeguarding_report (id, unit_id, kind, details, reported_by, reporter_name)
                    select gen_random_uuid(), \(world.fixture.village1a.id), 'missing', 'x', a.id, 'x'
                    from account a cross join generate_series(1, 300) where a.username = 'village1a.cadre'
                    """
                )
                try await Alerts.delivering(database, services: 2) {
                    let arrived3 = try await Alerts.eventually(60) { await receiver.state.all().count >= 300 }
                    #expect(arrived3)
                    let recorded = try await Alerts.eventually {
                        try await Alerts.count(database, "select count(*) as n from alert_delivery where status = 'sent'") == 300
                    }
                    #expect(recorded)
                }
                let received = await receiver.state.all()
                #expect(received.count == 300)
                #expect(Set(received.map(\.delivery)).count == 300)
                #expect(try await Alerts.count(database, "select count(*) as n from alert_delivery where status = 'sent'") == 300)
                let retried = try await database.pool.query("select attempts, last_error from alert_delivery where attempts > 1")
                    .map { "\(try $0.decode("attempts", as: Int.self)): \(try $0.decode("last_error", as: String?.self) ?? "")" }
                #expect(retried.count < 30, "\(retried)")
            }
        }
    }

    @Test("a receiver that hangs does not stall the others; it is retried after its timeout")
    func hangingReceiver() async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                await receiver.state.hang("stuck")
                _ = try await world.channel(client, key: "stuck", port: receiver.port)
                _ = try await world.channel(client, key: "fine", port: receiver.port)
                for _ in 0..<3 { try await world.report(client) }
                let started = Date()
                try await Alerts.delivering(database, settings: Alerts.fast(timeout: .seconds(4))) {
                    let arrived4 = try await Alerts.eventually(10) { await receiver.state.all().filter { $0.key == "fine" }.count == 3 }
                    #expect(arrived4)
                    #expect(Date().timeIntervalSince(started) < 3.5, "the fine receiver waited for the stuck one")
                    let arrived5 = try await Alerts.eventually(15) {
                        try await Alerts.count(database, "select count(*) as n from alert_delivery where attempts >= 2 and last_error is not null")
                            >= 3
                    }
                    #expect(arrived5)
                }
            }
        }
    }

    @Test("a robot gets at most its per-minute limit; the rest wait")
    func rateLimit() async throws {
        let receiver = try await LocalReceiver.start()
        defer { receiver.stop() }
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                _ = try await world.channel(client, key: "limited", port: receiver.port)
                for _ in 0..<8 { try await world.report(client) }
                try await Alerts.delivering(database, settings: Alerts.fast(perMinute: 5)) {
                    let arrived6 = try await Alerts.eventually { await receiver.state.all().count == 5 }
                    #expect(arrived6)
                    try await Task.sleep(for: .seconds(2))
                }
                #expect(await receiver.state.all().count == 5)
                #expect(try await Alerts.count(database, "select count(*) as n from alert_delivery where status = 'pending'") == 3)
            }
        }
    }
}

@Suite("Alerts: time-based events")
struct AlertTickTests {
    @Test("an unacknowledged report escalates to the town admin after the window, once; an acknowledged one does not")
    func escalation() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                try await world.report(client)
                try await world.report(client, details: "第二起")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 0)
                let supervisor = try await client.login("town1.supervisor")
                let reports = try await client.send(.get, "/v1/safeguarding-reports", token: supervisor)
                let acknowledged = try #require(try reports.decode(ItemsBody<IDBody>.self).items.first?.id)
                #expect(
                    try await client.send(
                        .post,
                        "/v1/safeguarding-reports/\(acknowledged)/acknowledge",
                        token: supervisor,
                        headers: [.ifMatch: "\"1\""]
                    ).status == .ok
                )
                try await database.pool.query("update safeguarding_report set reported_at = now() - interval '29 minutes'")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 0)
                try await database.pool.query("update safeguarding_report set reported_at = now() - interval '31 minutes'")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 1)
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 0)
                let admin = try await Alerts.inbox(client, "town1.admin")
                #expect(admin.filter { $0.event == "safeguarding.unacknowledged" }.count == 1)
                #expect(try await Alerts.inbox(client, "town1.supervisor").filter { $0.event == "safeguarding.unacknowledged" }.isEmpty)
            }
        }
    }

    @Test("the daily digest groups a worker's overdue visits into one alert a day, not at night")
    func digest() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let elder = try await client.post("/v1/persons", json: People.elder(village: world.fixture.village1a), token: world.cadre)
                #expect(elder.status == .created)
                let night = "2026-12-03T15:00:00Z"  // 23:00 in China
                let noon = "2026-12-04T04:00:00Z"
                // Due two days before the ticks below, whenever the test runs (relative to now() it
                // stopped being overdue at those fixed times from 2026-12-06 04:00 UTC on).
                try await database.pool.query("update visit_obligation set next_due_at = \(noon)::timestamptz - interval '2 days'")
                #expect(try await Alerts.count(database, "select alerts_tick(\(night)::timestamptz) as n") == 0)
                #expect(try await Alerts.count(database, "select alerts_tick(\(noon)::timestamptz) as n") == 2)
                #expect(try await Alerts.count(database, "select alerts_tick(\(noon)::timestamptz) as n") == 0)
                let worker = try await Alerts.inbox(client, "grid1a.worker")
                #expect(worker.count == 1)
                #expect(worker.first?.body.contains("1人") == true, "\(worker)")
                let cadre = try await Alerts.inbox(client, "village1a.cadre").filter { $0.event == "obligations.overdue_digest" }
                #expect(cadre.count == 1)
                #expect(cadre.first?.body.contains("2人") == true, "\(cadre)")
            }
        }
    }
}

@Suite("Alerts: clinics, schools and deadlines")
struct AlertSourceTests {
    @Test("a checkup upload needing follow-up alerts the clinic and the village cadre once per village, without a diagnosis")
    func checkups() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                try await database.pool.query(
                    "insert into clinic_service_area (clinic_id, village_id) values (\(world.fixture.clinic1.id), \(world.fixture.village1a.id))"
                )
                let doctor = try await client.login("clinic1.doctor")
                let today = ISO8601DateFormatter.string(
                    from: Date(),
                    timeZone: TimeZone(identifier: "Asia/Shanghai")!,
                    formatOptions: [.withFullDate]
                )
                let items: [[String: Any]] = (0..<2).map { index in
                    [
                        "recordId": "R-\(index)", "personId": world.child, "checkedOn": today, "kind": "child_health",
                        "measurements": [[String: Any]](),
                        "diagnoses": ["SENTINEL-诊断"], "findings": "SENTINEL-所见", "followUpNeeded": index == 0, "clinician": "王医生",
                    ]
                }
                let upload = try await client.post("/v1/checkups/batch", json: ["items": items], token: doctor)
                #expect(upload.status.code < 300, "\(upload.text)")
                let clinic = try await Alerts.inbox(client, "clinic1.doctor")
                #expect(clinic.count == 1)
                #expect(clinic.first?.event == "checkup.follow_up")
                #expect(clinic.first?.body.contains("1人") == true)
                #expect(try await Alerts.inbox(client, "village1a.cadre").map(\.event) == ["checkup.follow_up"])
                let texts = try await database.pool.query("select title || body || facts::text as t from alert_event").map {
                    try $0.decode("t", as: String.self)
                }
                #expect(!texts.contains { $0.contains("SENTINEL") })
            }
        }
    }

    @Test("a dropout alerts the village cadre and the supervisor once each (not again as a follow-up); a health need the serving clinic")
    func dropoutAndRouting() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let teacher = try await client.login("school1.teacher")
                let enrolment: [String: Any] = [
                    "id": UUID().uuidString, "personId": world.child, "schoolId": world.fixture.school1.idString,
                    "stage": "primary", "grade": 3, "boarding": false, "enrolledOn": "2024-09-01",
                ]
                let enrolled = try await client.post("/v1/enrolments", json: enrolment, token: teacher)
                #expect(enrolled.status == .created, "\(enrolled.text)")
                let row = try #require(try enrolled.json()["id"] as? String)
                let change: [String: Any] = [
                    "id": UUID().uuidString, "toStatus": "dropped_out", "effectiveOn": "2026-03-01", "reason": "SENTINEL 厌学",
                ]
                let dropped = try await client.post(
                    "/v1/enrolments/\(row)/status-changes",
                    json: change,
                    token: teacher,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(dropped.status == .created, "\(dropped.text)")
                for username in ["village1a.cadre", "town1.supervisor"] {
                    let events = try await Alerts.inbox(client, username).map(\.event)
                    #expect(events == ["school.dropout"], "\(username): \(events)")
                }
                try await database.pool.query(
                    "insert into clinic_service_area (clinic_id, village_id) values (\(world.fixture.clinic1.id), \(world.fixture.village1a.id))"
                )
                let worker = try await client.login("grid1a.worker")
                let check: [String: Any] = [
                    "id": UUID().uuidString, "personId": world.child,
                    "occurredAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60)),
                    "channel": "in_person", "kind": "grid_knock", "outcome": "needs_follow_up", "needs": ["health"],
                ]
                #expect(try await client.post("/v1/door-checks", json: check, token: worker).status == .created)
                #expect(try await Alerts.inbox(client, "clinic1.doctor").map(\.event) == ["follow_up.opened"])
                let texts = try await database.pool.query("select body as t from alert_event").map { try $0.decode("t", as: String.self) }
                #expect(!texts.contains { $0.contains("SENTINEL") })
            }
        }
    }

    @Test("a legal-aid first contact due within a day alerts the assigned town's officers; a missed one the town admin too")
    func legalDeadlines() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let legal = try await client.login("town1.legal")
                let application: [String: Any] = [
                    "id": UUID().uuidString, "personId": world.child, "matter": "custody_guardianship", "parties": ["王二叔"],
                    "facts": "SENTINEL 叔叔争夺抚养权", "urgency": "urgent", "channel": "walk_in",
                ]
                let opened = try await client.post("/v1/legal-cases", json: application, token: legal)
                #expect(opened.status == .created, "\(opened.text)")
                let id = try #require(try opened.json()["id"] as? String)
                let decided = try await client.post(
                    "/v1/legal-cases/\(id)/decision",
                    json: ["eligible": true, "basis": "minor"],
                    token: legal,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(decided.status == .ok, "\(decided.text)")
                let officer = try await database.pool.query("select id from account where username = 'town1.legal'").first!.decode(
                    "id",
                    as: UUID.self
                )
                let assigned = try await client.post(
                    "/v1/legal-cases/\(id)/assignment",
                    json: ["officerAccountId": officer.uuidString.lowercased()],
                    token: legal,
                    headers: [.ifMatch: "\"2\""]
                )
                #expect(assigned.status == .ok, "\(assigned.text)")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 0)
                try await database.pool.query("update legal_case_detail set first_contact_due = now() + interval '5 hours'")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 1)
                try await database.pool.query("update legal_case_detail set first_contact_due = now() - interval '5 hours'")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 1)
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 0)
                #expect(
                    Set(try await Alerts.inbox(client, "town1.legal").map(\.event))
                        == ["legal.deadline_approaching", "legal.deadline_missed"]
                )
                #expect(try await Alerts.inbox(client, "town1.admin").map(\.event) == ["legal.deadline_missed"])
                let texts = try await database.pool.query("select title || body || facts::text as t from alert_event").map {
                    try $0.decode("t", as: String.self)
                }
                #expect(!texts.contains { $0.contains("SENTINEL") || $0.contains("抚养") })
            }
        }
    }

    @Test("a relief decision due within a day alerts the relief officer once; a missed one the officer and the town admin")
    func reliefDeadlines() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let raised = try await client.post(
                    "/v1/relief/cases",
                    json: [
                        "id": UUID().uuidString, "personId": world.child, "typeKey": "temporary", "urgency": "normal", "need": "SENTINEL 房屋漏雨",
                        "amountRequestedFen": 50_000, "documents": ["户口本"], "source": "cadre",
                    ],
                    token: world.cadre
                )
                #expect(raised.status == .created, "\(raised.text)")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 0)
                try await database.pool.query("update relief_case set decision_due_at = now() + interval '3 hours'")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 1)
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 0)
                try await database.pool.query("update relief_case set decision_due_at = now() - interval '1 hour'")
                #expect(try await Alerts.count(database, "select alerts_tick() as n") == 1)
                let officer = try await Alerts.inbox(client, "town1.relief").map(\.event)
                #expect(Set(officer) == ["relief.deadline_approaching", "relief.deadline_missed"])
                #expect(try await Alerts.inbox(client, "town1.admin").map(\.event) == ["relief.deadline_missed"])
                let texts = try await database.pool.query("select body as t from alert_event").map { try $0.decode("t", as: String.self) }
                #expect(!texts.contains { $0.contains("SENTINEL") })
            }
        }
    }
}

@Suite("Alerts: channels and contact settings")
struct AlertSettingsTests {
    @Test(
        "channels: a town admin adds one in scope (secrets sealed, masked), retries are the same, another town's unit is refused; contact phone sealed and masked"
    )
    func channelsAndContact() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await AlertWorld.make(database, client: client)
                let id = UUID().uuidString
                let body: [String: Any] = [
                    "id": id, "unitId": world.fixture.town1.idString, "kind": "wecom", "name": "一乡群",
                    "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
                ]
                let created = try await client.post("/v1/alert-channels", json: body, token: world.townAdmin)
                #expect(created.status == .created, "\(created.text)")
                #expect(try created.json()["target"] as? String == "qyapi.weixin.qq.com（…5aaa）")
                #expect(try await client.post("/v1/alert-channels", json: body, token: world.townAdmin).status == .ok)
                var changed = body
                changed["name"] = "别的群"
                #expect(try await client.post("/v1/alert-channels", json: changed, token: world.townAdmin).status == .conflict)
                var other = body
                other["id"] = UUID().uuidString
                other["unitId"] = world.fixture.town2.idString
                #expect(try await client.post("/v1/alert-channels", json: other, token: world.townAdmin).status == .unprocessableContent)
                var plain = body
                plain["id"] = UUID().uuidString
                plain["url"] = "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef"
                #expect(try await client.post("/v1/alert-channels", json: plain, token: world.townAdmin).status == .unprocessableContent)
                var inside = body
                inside["id"] = UUID().uuidString
                inside["url"] = "https://10.0.0.5/cgi-bin/webhook/send?key=abcdef"
                #expect(try await client.post("/v1/alert-channels", json: inside, token: world.townAdmin).status == .unprocessableContent)
                let stored = try await database.pool.query("select target_sealed::text as t from alert_channel").first!.decode("t", as: String.self)
                #expect(!stored.contains("qyapi"))
                #expect(try await client.send(.get, "/v1/alert-channels", token: world.cadre).status == .forbidden)
                let queued = try await client.send(.post, "/v1/alert-channels/\(id)/test", token: world.townAdmin)
                #expect(queued.status == .accepted, "\(queued.text)")
                #expect(
                    try await Alerts.count(
                        database,
                        "select count(*) as n from alert_delivery d join alert_event e on e.id = d.event_id where e.event = 'channel.test'"
                    ) == 1
                )
                #expect(try await client.send(.post, "/v1/alert-channels/\(id)/test", token: world.cadre).status == .forbidden)
                #expect(try await client.send(.post, "/v1/alert-channels/\(UUID().uuidString)/test", token: world.townAdmin).status == .notFound)
                let chinese = try await client.send(
                    .put,
                    "/v1/me/contact",
                    json: ["phone": "12"],
                    token: world.cadre,
                    headers: [.ifMatch: "\"0\"", .acceptLanguage: "zh-CN"]
                )
                #expect(chinese.text.contains("应为手机号"), "\(chinese.text)")
                let otherTown = try await client.login("county.admin")
                #expect(
                    try await client.send(.delete, "/v1/alert-channels/\(id)", token: otherTown, headers: [.ifMatch: "\"2\""]).status
                        == .preconditionFailed
                )
                #expect(
                    try await client.send(.delete, "/v1/alert-channels/\(id)", token: world.townAdmin, headers: [.ifMatch: "\"1\""]).status
                        == .noContent
                )
                #expect(
                    try await client.send(.delete, "/v1/alert-channels/\(id)", token: world.townAdmin, headers: [.ifMatch: "\"2\""]).status
                        == .notFound
                )

                let grid = try await client.login("grid1a.worker")
                let bad = try await client.send(.put, "/v1/me/contact", json: ["phone": "12345"], token: grid, headers: [.ifMatch: "\"0\""])
                #expect(bad.status == .unprocessableContent)
                let saved = try await client.send(
                    .put,
                    "/v1/me/contact",
                    json: ["phone": "138 1234 5678", "dingtalkUserId": "li4"],
                    token: grid,
                    headers: [.ifMatch: "\"0\""]
                )
                #expect(saved.status == .ok, "\(saved.text)")
                #expect(try saved.json()["phone"] as? String == "138****5678")
                let kept = try await client.send(.put, "/v1/me/contact", json: ["dingtalkUserId": "li4"], token: grid, headers: [.ifMatch: "\"1\""])
                #expect(try kept.json()["phone"] as? String == "138****5678")
                #expect(
                    try await client.send(.put, "/v1/me/contact", json: ["phone": NSNull()], token: grid, headers: [.ifMatch: "\"1\""]).status
                        == .preconditionFailed
                )
                let cleared = try await client.send(.put, "/v1/me/contact", json: ["phone": NSNull()], token: grid, headers: [.ifMatch: "\"2\""])
                #expect(try cleared.json()["phone"] is NSNull)
                #expect(
                    try await Alerts.count(database, "select count(*) as n from account_contact where phone_sealed::text like '%13812345678%'") == 0
                )
            }
        }
    }
}

@Suite("DingTalk signed addresses")
struct DingTalkAddressTests {
    @Test("the address's own query is kept as written and the signature added in ASCII (a Chinese remark once stopped the process)")
    func signedAddressKeepsItsQuery() throws {
        let delivery = ClaimedDelivery(
            id: UUID(),
            channel: .dingtalk,
            attempts: 0,
            event: "safeguarding.reported",
            title: "强制报告",
            body: "城关镇 东村",
            link: nil,
            facts: [:],
            smsTemplateID: nil,
            targetSealed: nil,
            secretSealed: nil,
            mentions: [],
            eventCreatedAt: Date()
        )
        let webhook = try #require(URL(string: "https://oapi.dingtalk.com/robot/send?access_token=abcd1234&remark=%E6%9D%91&x%20y=1"))
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let request = try AlertMessage.dingtalk(delivery, webhook: webhook, secret: "SECtest+/=", publicURL: nil, now: now)
        let query = try #require(request.url.query(percentEncoded: true))
        #expect(query.hasPrefix("access_token=abcd1234&remark=%E6%9D%91&x%20y=1&timestamp=1780000000000&sign="), "\(query)")
        let components = try #require(URLComponents(url: request.url, resolvingAgainstBaseURL: false))
        let sign = components.queryItems?.first { $0.name == "sign" }?.value
        #expect(sign == AlertMessage.dingtalkSign(timestamp: "1780000000000", secret: "SECtest+/="))
        #expect(query.unicodeScalars.allSatisfy { $0.isASCII })
    }
}
