import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/alert-rules`: which events alert whom in a county. Town administrators read them; county
/// administrators override the policy defaults per event, or go back to them.
struct AlertRuleController: Sendable {
    let database: TenantDatabase
    let store: AlertStore

    struct CountyQuery: Decodable {
        var countyId: UUID
    }

    struct Rules: Encodable {
        var items: [AlertRule]
        var placeholders: [String: String]
    }

    struct Change: Decodable {
        var enabled: Bool
        var recipientRoles: [String]
        var urgency: AlertUrgency
        var channels: [String]
        var title: String
        var body: String
        var smsTemplateId: String?
        var ackMinutes: Int?
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let county = try request.uri.decodeQuery(as: CountyQuery.self, context: context).countyId
        let rules = try await self.database.transaction(for: caller) { transaction in
            _ = try await self.countyPath(county, caller: caller, toChange: false, in: transaction)
            return try await self.store.rules(county: county, in: transaction)
        }
        return try JSONResponse(Rules(items: rules, placeholders: AlertTemplate.placeholders))
    }

    @Sendable func change(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let event = try Self.event(context)
        let county = try request.uri.decodeQuery(as: CountyQuery.self, context: context).countyId
        let version = try request.ifMatchVersion()
        let input: AlertStore.RuleInput
        do {
            input = try Self.validated(try await request.decodeJSON(as: Change.self, context: context), event: event)
        } catch let problem as Problem {
            throw problem.localized(for: request)
        }
        let rule = try await self.database.transaction(for: caller) { transaction in
            let path = try await self.countyPath(county, caller: caller, toChange: true, in: transaction)
            guard let saved = try await self.store.saveRule(event, county: county, version: version, input: input, in: transaction) else {
                let current = try await self.store.rule(event, county: county, in: transaction)
                throw Problem.versionMismatch("rule", current: current?.version ?? 0)
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "alerts.rule",
                resource: "alert_rule",
                recordID: event.rawValue,
                unitID: county,
                unitPath: path,
                detail: ["enabled": String(input.enabled)]
            ).append(in: transaction)
            return saved
        }
        return try JSONResponse(rule, headers: [.eTag: "\"\(rule.version)\""])
    }

    @Sendable func revert(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let event = try Self.event(context)
        let county = try request.uri.decodeQuery(as: CountyQuery.self, context: context).countyId
        let version = try request.ifMatchVersion()
        let rule = try await self.database.transaction(for: caller) { transaction in
            let path = try await self.countyPath(county, caller: caller, toChange: true, in: transaction)
            let current = try await self.store.rule(event, county: county, in: transaction)
            guard current?.version == version else { throw Problem.versionMismatch("rule", current: current?.version ?? 0) }
            guard let rule = try await self.store.revertRule(event, county: county, version: version, in: transaction) else {
                let now = try await self.store.rule(event, county: county, in: transaction)
                throw Problem.versionMismatch("rule", current: now?.version ?? 0)
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "alerts.rule_default",
                resource: "alert_rule",
                recordID: event.rawValue,
                unitID: county,
                unitPath: path
            ).append(in: transaction)
            return rule
        }
        return try JSONResponse(rule, headers: [.eTag: "\"\(rule.version)\""])
    }

    private static func event(_ context: AppRequestContext) throws -> AlertEventKind {
        let name = context.parameters.get("event") ?? ""
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 == "_" || ("a"..."z").contains($0) } }) else {
            throw Problem.badRequest(
                "The event must be named like safeguarding.reported.",
                errors: [.init(field: "event", message: "is not an event name")]
            )
        }
        guard let event = AlertEventKind(rawValue: name), event != .channelTest else { throw Problem.notFound("No such alert event.") }
        return event
    }

    /// The county's path, when the caller works in it (and, to change its rules, administers it).
    private func countyPath(_ county: UUID, caller: Caller, toChange: Bool, in transaction: PostgresTransaction) async throws -> String {
        guard let path = try await self.store.countyPath(county, in: transaction) else { throw Problem.notFound("No such county.") }
        guard caller.grants.contains(where: { Caller.path($0.unitPath, isInside: path) }) else { throw Problem.notFound("No such county.") }
        if toChange, !caller.holds(.alertsManage, at: path) {
            throw Problem.forbidden("Only the county's administrators set its alert rules.")
        }
        return path
    }

    private static func validated(_ body: Change, event: AlertEventKind) throws -> AlertStore.RuleInput {
        var errors: [Problem.FieldError] = []
        // Not volunteers (they see only their paired people) nor auditors.
        let knownRoles = Set(Role.allCases.filter { $0 != .auditor && $0 != .volunteer }.map(\.rawValue) + ["routed"])
        let roles = Array(Set(body.recipientRoles)).sorted()
        if roles.contains(where: { !knownRoles.contains($0) }) {
            errors.append(.init(field: "recipientRoles", message: "must be roles of \(knownRoles.sorted().joined(separator: ", "))"))
        }
        if roles.contains("routed"), event != .followUpOpened {
            errors.append(.init(field: "recipientRoles", message: "routed is only for follow_up.opened"))
        }
        let channels = Array(Set(body.channels)).sorted()
        if channels.contains(where: { AlertChannelKind(rawValue: $0) == nil }) {
            errors.append(.init(field: "channels", message: "must be some of inbox, wecom, dingtalk, sms"))
        } else if !channels.contains("inbox") {
            errors.append(.init(field: "channels", message: "must include inbox"))
        }
        if let problem = AlertTemplate.problem(in: body.title, maxLength: 60) { errors.append(.init(field: "title", message: problem)) }
        if let problem = AlertTemplate.problem(in: body.body, maxLength: 300) { errors.append(.init(field: "body", message: problem)) }
        let template = body.smsTemplateId?.trimmingCharacters(in: .whitespaces)
        if let template, !template.isEmpty,
            !(template.count <= 64 && template.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }))
        {
            errors.append(.init(field: "smsTemplateId", message: "must be 1 to 64 letters, digits, _ or -"))
        }
        if event == .safeguardingReported || event == .safeguardingUnacknowledged {
            if !body.enabled { errors.append(.init(field: "enabled", message: "a mandatory report's alert cannot be switched off")) }
            if body.urgency != .immediate { errors.append(.init(field: "urgency", message: "a mandatory report's alert is immediate")) }
            if roles.isEmpty { errors.append(.init(field: "recipientRoles", message: "name at least one role")) }
        }
        if let minutes = body.ackMinutes, !(5...1440).contains(minutes) {
            errors.append(.init(field: "ackMinutes", message: "must be 5 to 1440"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return AlertStore.RuleInput(
            enabled: body.enabled,
            recipientRoles: roles,
            urgency: body.urgency,
            channels: channels,
            title: body.title.trimmingCharacters(in: .whitespacesAndNewlines),
            body: body.body.trimmingCharacters(in: .whitespacesAndNewlines),
            smsTemplateId: (template?.isEmpty ?? true) ? nil : template,
            ackMinutes: event == .safeguardingUnacknowledged ? (body.ackMinutes ?? 30) : nil
        )
    }
}
