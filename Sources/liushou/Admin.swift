import ArgumentParser
import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouServer

/// `liushou admin …`: set up units, users and grants from the shell (owner role, audited as `cli`).
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create units, users and grants from the shell, without the API.",
        subcommands: [CreateUnit.self, CreateUser.self, AddGrant.self, ScopeSQL.self]
    )

    struct CreateUnit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create-unit", abstract: "Create a town, village, grid, school or clinic.")

        @OptionGroup var common: CommonOptions
        @Option(help: "town, village, grid, school or clinic.") var kind: String
        @Option(help: "Name.") var name: String
        @Option(help: "12-digit 统计用区划代码 (towns and villages).") var code: String?
        @Option(help: "Parent unit id.") var parent: String

        func run() async throws {
            guard let kind = OrgUnitKind(rawValue: self.kind), kind != .county else {
                throw ValidationError("--kind must be one of town, village, grid, school, clinic")
            }
            guard let parentID = UUID(uuidString: self.parent) else { throw ValidationError("--parent must be a unit id (UUID)") }
            try await AdminSession.run(self.common) { seeder in
                let unit = try await seeder.unit(kind, name: self.name, code: self.code, parent: try await seeder.unit(id: parentID))
                print("created \(unit.kind.rawValue) \(unit.name): \(unit.id.uuidString.lowercased())")
            }
        }
    }

    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-user",
            abstract: "Create a user; the initial password comes from LIUSHOU_USER_PASSWORD and must be changed at first login."
        )

        @OptionGroup var common: CommonOptions
        @Option(help: "Username.") var username: String
        @Option(help: "Display name.") var displayName: String
        @Option(help: "Home unit id.") var home: String
        @Option(help: "Role to grant on the home unit.") var role: String

        func run() async throws {
            guard let password = ProcessInfo.processInfo.environment["LIUSHOU_USER_PASSWORD"], !password.isEmpty else {
                throw ValidationError("set LIUSHOU_USER_PASSWORD to the user's initial password")
            }
            guard let role = Role(rawValue: self.role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let homeID = UUID(uuidString: self.home) else { throw ValidationError("--home must be a unit id (UUID)") }
            try await AdminSession.run(self.common) { seeder in
                let home = try await seeder.unit(id: homeID)
                let id = try await seeder.user(
                    self.username,
                    password: password,
                    displayName: self.displayName,
                    home: home,
                    grants: [(role, home)],
                    mustChangePassword: true
                )
                print("created user \(self.username.lowercased()): \(id.uuidString.lowercased())")
            }
        }
    }

    struct AddGrant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "grant", abstract: "Grant a role on a unit to an existing account.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Username.") var username: String
        @Option(help: "Role.") var role: String
        @Option(help: "Unit id.") var unit: String

        func run() async throws {
            guard let role = Role(rawValue: self.role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let unitID = UUID(uuidString: self.unit) else { throw ValidationError("--unit must be a unit id (UUID)") }
            try await AdminSession.run(self.common) { seeder in
                try await seeder.grant(role, on: unitID, to: self.username)
                print("granted \(role.rawValue) to \(self.username.lowercased())")
            }
        }
    }
}

/// An owner connection and a seeder for one admin command.
enum AdminSession {
    static func run(_ common: CommonOptions, _ body: (PlatformSeeder) async throws -> Void) async throws {
        let (configuration, logger) = try common.configured()
        let hasher = try PasswordHasher(cost: configuration.bcryptCost)
        try await OwnerConnection.with(configuration, logger: logger) { owner in
            try await body(
                PlatformSeeder(owner: owner, hasher: hasher, auditActor: "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "shell"))
            )
        }
        await hasher.shutdown()
    }
}
