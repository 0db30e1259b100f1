import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRelief
import LiushouTestSupport
import Testing

@Suite("Relief state machine")
struct ReliefStateMachineTests {
    /// The workflow as the issue states it, written out independently of the machine's table.
    static let expected: [String: [String: String]] = [
        "submitted": ["review": "village_reviewed", "withdraw": "withdrawn"],
        "village_reviewed": ["approve": "approved", "reject": "rejected", "withdraw": "withdrawn"],
        "approved": ["pay": "paid"],
        "rejected": ["appeal": "village_reviewed"],
        "paid": ["close": "closed"],
        "closed": [:],
        "withdrawn": [:],
    ]

    @Test("every state × action is legal exactly as the workflow says")
    func table() {
        for state in ReliefState.allCases {
            for action in ReliefAction.allCases {
                #expect(
                    ReliefStateMachine.target(of: action, from: state)?.rawValue == Self.expected[state.rawValue]?[action.rawValue],
                    "\(state.rawValue) × \(action.rawValue)"
                )
            }
        }
        #expect(ReliefStateMachine.roles(for: .review) == [.villageCadre])
        #expect(ReliefStateMachine.roles(for: .approve) == [.countyAdmin, .townAdmin, .reliefOfficer])
        #expect(ReliefStateMachine.roles(for: .pay) == [.countyAdmin, .reliefOfficer])
        #expect(!ReliefStateMachine.roles(for: .approve).contains(.villageCadre), "the village does not decide")
    }

    @Test("the database's edges and scopes are the Swift machine's")
    func databaseMirrorsMachine() async throws {
        try await TestPostgres.withDatabase { database in
            let rows = try await database.pool.query("select from_state, to_state, action, scope from relief_state_edge")
            let stored = Set(
                try rows.map {
                    "\(try $0.decode("from_state", as: String.self)) \(try $0.decode("action", as: String.self)) \(try $0.decode("to_state", as: String.self)) \(try $0.decode("scope", as: String.self))"
                }
            )
            let swift = Set(
                ReliefStateMachine.edges.map { "\($0.from.rawValue) \($0.action.rawValue) \($0.to.rawValue) \($0.action.scope.rawValue)" }
            )
            #expect(stored == swift)
            for action in ReliefAction.allCases {
                #expect(action.scope.roles == action.permission.roles, "\(action): the row scope and the permission name the same roles")
            }
        }
    }

    @Test("each action × each role: holders move the case, other roles get 403, another town's holder 404", arguments: ReliefAction.allCases)
    func roles(_ action: ReliefAction) async throws {
        let from = ReliefStateMachine.edges.first { $0.action == action }!.from.rawValue
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                for role in Role.allCases {
                    let type = try await world.newType()
                    let (id, version) = try await Relief.caseAt(from, person: world.child, type: type, client: client)
                    let token = try await client.login(world.fixture.username(for: role))
                    let response = try await Relief.step(
                        client,
                        id,
                        action.rawValue,
                        token: token,
                        version: version,
                        extra: Relief.extra(for: action.rawValue)
                    )
                    let expected = action.permission.roles.contains(role) ? 200 : 403
                    #expect(response.status.code == expected, "\(role.rawValue) \(action.rawValue): \(response.text)")
                    if expected == 200 {
                        #expect(
                            try response.decode(Read.Step.self).case.state
                                == ReliefStateMachine.target(of: action, from: ReliefState(rawValue: from)!)?.rawValue
                        )
                    } else {
                        let state = try await database.pool.query("select state, version from relief_case where id = \(UUID(uuidString: id)!)").first!
                        #expect(try state.decode("state", as: String.self) == from && (try state.decode("version", as: Int.self)) == version)
                    }
                }
                let type = try await world.newType()
                let (id, version) = try await Relief.caseAt(from, person: world.child, type: type, client: client)
                let stranger = action == .review ? "village2a.cadre" : "town2.relief"
                if action.permission.roles.contains(action == .review ? .villageCadre : .reliefOfficer) {
                    let response = try await Relief.step(
                        client,
                        id,
                        action.rawValue,
                        token: try await client.login(stranger),
                        version: version,
                        extra: Relief.extra(for: action.rawValue)
                    )
                    #expect(response.status == .notFound, "\(stranger) \(action.rawValue): \(response.text)")
                }
            }
        }
    }

    @Test("every action not legal in a state answers 409 and changes nothing", arguments: ReliefState.allCases)
    func illegal(_ state: ReliefState) async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let type = try await world.newType()
                let (id, version) = try await Relief.caseAt(state.rawValue, person: world.elder, type: type, client: client)
                let county = try await client.login("county.admin")
                let cadre = try await client.login("village1a.cadre")
                for action in ReliefAction.allCases where ReliefStateMachine.target(of: action, from: state) == nil {
                    // A caller holding the action's permission, so only the state refuses it.
                    let token = action == .review ? cadre : county
                    let response = try await Relief.step(
                        client,
                        id,
                        action.rawValue,
                        token: token,
                        version: version,
                        extra: Relief.extra(for: action.rawValue)
                    )
                    #expect(response.status == .conflict, "\(state.rawValue) × \(action.rawValue): \(response.text)")
                    #expect(try response.json()["code"] as? String == "illegal_transition")
                }
                let row = try await database.pool.query("select state, version from relief_case where id = \(UUID(uuidString: id)!)").first!
                #expect(try row.decode("state", as: String.self) == state.rawValue)
                #expect(try row.decode("version", as: Int.self) == version)
            }
        }
    }

    @Test("the database refuses a state change off the edges, or by a caller without the edge's scope")
    func databaseGuard() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let type = try await world.newType()
                let (id, _) = try await Relief.caseAt("submitted", person: world.elder, type: type, client: client)
                let caseID = UUID(uuidString: id)!
                await #expect(throws: (any Error).self) {
                    try await database.pool.query("update relief_case set state = 'paid', version = version + 1 where id = \(caseID)")
                }
                let owner = try await database.pool.query("select state from relief_case where id = \(caseID)").first!.decode(
                    "state",
                    as: String.self
                )
                #expect(owner == "submitted")
                // As the application role with a relief officer's scope (no review scope), a review is refused.
                let town = world.fixture.town1.path
                await #expect(throws: (any Error).self) {
                    try await database.appPool.withTransaction(settings: [
                        (name: "liushou.scope_paths", value: "{\(town)}"), (name: "liushou.account_id", value: UUID().uuidString.lowercased()),
                        (name: "liushou.scope.relief", value: "{\(town)}"), (name: "liushou.scope.relief_decide", value: "{\(town)}"),
                    ]) { transaction in
                        try await transaction.query("update relief_case set state = 'village_reviewed', version = version + 1 where id = \(caseID)")
                    }
                }
                #expect(
                    try await database.pool.query("select version from relief_case where id = \(caseID)").first!.decode("version", as: Int.self) == 1
                )

                // A filing with a deadline other than its type's is refused by the insert policy.
                let cadre = try await database.pool.query("select id from account where username = 'village1a.cadre'").first!.decode(
                    "id",
                    as: UUID.self
                )
                let village = world.fixture.village1a
                func file(due: String) async throws {
                    try await database.appPool.withTransaction(settings: [
                        (name: "liushou.scope_paths", value: "{\(village.path)}"), (name: "liushou.account_id", value: cadre.uuidString.lowercased()),
                        (name: "liushou.scope.person_area", value: "{\(village.path)}"), (name: "liushou.scope.relief", value: "{\(village.path)}"),
                    ]) { transaction in
                        try await transaction.query(
                            """
                            insert into relief_case (id, person_id, unit_id, village_id, type_id, type_key, urgency, need, amount_requested_fen, documents,
                                source, raised_by, raised_by_name, state, decision_due_at, content_hash)
                            select \(UUID()), p.id, p.unit_id, p.village_id, t.id, t.type_key, 'normal', '生活困难', 100, '{}', 'cadre', \(cadre), 'x',
                                'submitted', \(unsafeRaw: due), '\\x00'::bytea
                            from person p, relief_case_type t where p.id = \(UUID(uuidString: world.elder)!) and t.type_key = 'medical' and t.county_id is null
                            """
                        )
                    }
                }
                await #expect(throws: (any Error).self) { try await file(due: "now() + interval '100 days'") }
                try await file(due: "relief_decision_due(now(), 'normal', t.id, p.village_id)")
                #expect(
                    try await database.pool.query("select count(*)::int as n from relief_case where type_key = 'medical'").first!
                        .decode("n", as: Int.self) == 1,
                    "only the filing with its type's deadline is stored"
                )
            }
        }
    }
}
