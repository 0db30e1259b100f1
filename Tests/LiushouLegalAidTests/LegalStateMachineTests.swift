import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouLegalAid
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport
import Testing

@Suite("Legal-aid state machine")
struct LegalStateMachineTests {
    @Test("the state machine: every transition's targets are edges, and the database guard refuses the rest")
    func stateMachine() async throws {
        #expect(LegalWorkflow.target(of: .decide, from: .intake, choice: .eligible(true)) == .eligible)
        #expect(LegalWorkflow.target(of: .decide, from: .intake, choice: .eligible(false)) == .refused)
        #expect(LegalWorkflow.target(of: .decide, from: .eligible, choice: .eligible(true)) == nil)
        #expect(LegalWorkflow.target(of: .review, from: .refused, choice: .eligible(false)) == .refusalUpheld)
        #expect(LegalWorkflow.target(of: .review, from: .refusalUpheld, choice: .eligible(true)) == nil)
        #expect(LegalWorkflow.target(of: .close, from: .assigned, choice: .withdrawal(false)) == nil)
        #expect(LegalWorkflow.target(of: .close, from: .assigned, choice: .withdrawal(true)) == .closed)
        #expect(LegalWorkflow.sources(of: .close) == [.intake, .eligible, .assigned, .inProgress])
        #expect(LegalWorkflow.sources(of: .assign) == [.eligible, .assigned])
        // Every edge is some transition's step, and no transition leaves the edges.
        var taken: Set<[LegalStage]> = []
        let choices: [LegalWorkflow.Choice] = [.none, .eligible(true), .eligible(false), .withdrawal(true), .withdrawal(false)]
        for action in LegalAction.allCases {
            for stage in LegalStage.allCases {
                for choice in choices {
                    if let target = LegalWorkflow.target(of: action, from: stage, choice: choice) { taken.insert([stage, target]) }
                }
            }
        }
        #expect(taken == LegalWorkflow.edges)
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let id = try #require(UUID(uuidString: try await LegalWorld.open(client, person: world.child, token: world.legal)))
                // The owner bypasses row-level security but not the trigger: no skipping stages, no version left behind.
                await #expect(throws: (any Error).self) {
                    try await database.pool.query("update legal_case set stage = 'closed' where id = \(id)")
                }
                await #expect(throws: (any Error).self) {
                    try await database.pool.query("update legal_case set stage = 'assigned', version = version + 1 where id = \(id)")
                }
                try await database.pool.query("update legal_case set stage = 'eligible', version = version + 1 where id = \(id)")
                #expect(
                    try await database.pool.query("select stage from legal_case where id = \(id)").first?.decode("stage", as: String.self)
                        == "eligible"
                )
                // The trigger accepts exactly the Swift machine's edges.
                for from in LegalStage.allCases {
                    for to in LegalStage.allCases {
                        try await database.pool.query("alter table legal_case disable trigger legal_case_stage_guard")
                        try await database.pool.query("update legal_case set stage = \(from.rawValue) where id = \(id)")
                        try await database.pool.query("alter table legal_case enable trigger legal_case_stage_guard")
                        var accepted = true
                        do {
                            try await database.pool.query("update legal_case set stage = \(to.rawValue), version = version + 1 where id = \(id)")
                        } catch {
                            accepted = false
                        }
                        #expect(accepted == LegalWorkflow.edges.contains([from, to]), "\(from) → \(to)")
                    }
                }
            }
        }
    }
}
