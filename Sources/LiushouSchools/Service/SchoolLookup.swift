import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Directory facts about a school (through the security-definer brief) and who may act on it.
struct SchoolLookup {
    var id: UUID
    var kind: String
    var name: String
    var path: String

    static func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> SchoolLookup? {
        try await transaction.query("select id, kind, name, path from liushou_unit_brief(\(id))").first.map { row in
            SchoolLookup(id: try row.decode("id"), kind: try row.decode("kind"), name: try row.decode("name"), path: try row.decode("path"))
        }
    }

    /// Whether the caller works at the school or manages the town's schools.
    func writable(by caller: Caller) -> Bool {
        self.kind == "school" && (caller.covers(self.path, in: .school) || caller.covers(self.path, in: .schoolsManage))
    }

    /// A school the caller reads with `permission` (its own school, or a school under the caller's units); else 404.
    static func readable(_ id: UUID, by caller: Caller, _ permission: Permission, in transaction: PostgresTransaction) async throws -> SchoolLookup {
        guard let school = try await Self.find(id, in: transaction), school.kind == "school", caller.holds(permission, at: school.path) else {
            throw ServiceError.notFound("No such school.")
        }
        return school
    }

    /// Whether `account` is an active staff account of `school`.
    static func isStaff(_ account: UUID, at school: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select liushou_is_school_staff(\(account), \(school)) as staff").first?.decode("staff", as: Bool.self) == true
    }

    /// Whether `school` is an active school of the county `other` lies in.
    static func inSameCounty(_ school: UUID, as other: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query(
            """
            select liushou_school_in_same_county(\(school), \(other)) as ok
            """
        ).first?.decode("ok", as: Bool.self) == true
    }

    /// Whether the caller is a counsellor the town designated at `school`.
    static func callerIsCounsellor(at school: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select liushou_is_counsellor(\(school)) as ok").first?.decode("ok", as: Bool.self) == true
    }

    /// Whether the caller sees the person's file.
    static func personVisible(_ id: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select 1 from person where id = \(id)").first != nil
    }
}
