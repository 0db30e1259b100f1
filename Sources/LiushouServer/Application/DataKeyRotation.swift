import Foundation
import LiushouAlerts
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouVolunteers

/// Re-seals every stored identifier under the vault's current key (`liushou keys rotate`), in short
/// transactions of `batchSize` rows, while servers keep serving: they hold the same ring (the new
/// key current, the old one previous), so they open and find values under either key meanwhile.
/// Running it again after an interruption carries on where it stopped; a finished run finds nothing.
public struct DataKeyRotation: Sendable {
    /// What a run did to one table.
    public struct TableReport: Sendable, Equatable {
        public var table: String
        public var resealed: Int
        public var clashes: [UUID]
        /// Rows whose values open under no key of the ring, left as they are.
        public var unreadable: [UUID] = []
    }

    /// One table's sealed rows and how many of them are not under the current key.
    public struct Census: Sendable, Equatable {
        public var table: String
        public var sealed: Int
        public var left: Int
    }

    let vault: IdentifierVault
    let steps: [any KeyRotationStep]

    public init(vault: IdentifierVault) {
        self.vault = vault
        self.steps = [
            PersonKeyRotation(vault: vault), VolunteerKeyRotation(vault: vault), TwoFactorKeyRotation(vault: vault),
            AlertKeyRotation(vault: vault, sealed: AlertKeyRotation.channels), AlertKeyRotation(vault: vault, sealed: AlertKeyRotation.contacts),
        ]
    }

    /// Re-seals what is left, table by table, through an owner connection (every tenant), and
    /// audits the run. `progress` hears each table's running count.
    public func run(
        owner: PostgresConnectionPool,
        batchSize: Int = 500,
        progress: @Sendable (String, Int) -> Void = { _, _ in }
    ) async throws -> [TableReport] {
        var reports: [TableReport] = []
        for step in self.steps {
            var report = TableReport(table: step.table, resealed: 0, clashes: [])
            var after: UUID? = nil
            while true {
                let batch = try await owner.withTransaction(maxAttempts: 3) { transaction in
                    try await step.rotate(after: after, limit: batchSize, in: transaction)
                }
                guard let last = batch.last else { break }
                after = last
                report.resealed += batch.resealed
                report.clashes += batch.clashes
                report.unreadable += batch.unreadable
                progress(step.table, report.resealed)
            }
            reports.append(report)
        }
        let left = try await self.census(owner: owner)
        var detail = ["key": self.vault.keyID]
        for report in reports {
            detail["\(report.table).resealed"] = String(report.resealed)
            detail["\(report.table).clashes"] = String(report.clashes.count)
            detail["\(report.table).unreadable"] = String(report.unreadable.count)
        }
        for census in left { detail["\(census.table).left"] = String(census.left) }
        try await owner.withTransaction { transaction in
            try await AuditEntry(
                caller: nil,
                origin: .command("keys rotate"),
                action: "data_key.rotate",
                resource: "data_key",
                recordID: self.vault.keyID,
                outcome: left.allSatisfy { $0.left == 0 } ? .success : .failure,
                detail: detail
            ).append(in: transaction)
        }
        return reports
    }

    /// Every table's sealed rows and what is left to re-seal.
    public func census(owner: PostgresConnectionPool) async throws -> [Census] {
        var result: [Census] = []
        for step in self.steps {
            let (sealed, left) = try await owner.withTransaction { transaction in try await step.census(in: transaction) }
            result.append(Census(table: step.table, sealed: sealed, left: left))
        }
        return result
    }
}
