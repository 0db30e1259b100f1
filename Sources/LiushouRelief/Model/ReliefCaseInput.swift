import Crypto
import Foundation
import LiushouHTTP

/// A case raised by a client, under an id the client chose (so a retry is recognised).
public struct ReliefCaseInput: Sendable, Codable, Equatable {
    /// Emergency cases are decided within the type's hours (24 by policy).
    public enum Urgency: String, Sendable, Codable {
        case emergency
        case normal
    }

    /// Who raised the need: a grid follow-up, a cadre, or the person (recorded by staff).
    public enum Source: String, Sendable, Codable {
        case followUp = "follow_up"
        case cadre
        case person = "self"
    }

    public var id: UUID
    public var personId: UUID
    public var typeKey: String
    public var urgency: Urgency
    public var need: String
    public var amountRequestedFen: Int64
    /// Documents referenced by name (户口本, 诊断证明, …); the files themselves live elsewhere.
    public var documents: [String]?
    public var source: Source
    public var followUpId: UUID?
    public var officerAccountId: UUID?

    /// The largest amount a case may name (one hundred million yuan).
    public static let maxAmountFen: Int64 = 10_000_000_000

    /// Content problems (field paths as in the JSON).
    public func problems() -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if self.typeKey.range(of: #"\A[a-z0-9_]{2,40}\z"#, options: .regularExpression) == nil {
            errors.append(.init(field: "typeKey", message: "must name a case type (2 to 40 lower-case letters, digits or _)"))
        }
        if !(1...2000).contains(self.need.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count) {
            errors.append(.init(field: "need", message: "describe the need (1 to 2000 characters)"))
        }
        if !(0...Self.maxAmountFen).contains(self.amountRequestedFen) {
            errors.append(.init(field: "amountRequestedFen", message: "must be 0 to \(Self.maxAmountFen) fen"))
        }
        let documents = self.documents ?? []
        if documents.count > 50 { errors.append(.init(field: "documents", message: "name at most 50 documents")) }
        for (index, name) in documents.enumerated() where !(1...200).contains(name.trimmingCharacters(in: .whitespaces).count) {
            errors.append(.init(field: "documents[\(index)]", message: "must have 1 to 200 characters"))
        }
        if (self.source == .followUp) != (self.followUpId != nil) {
            errors.append(.init(field: "followUpId", message: "name the follow-up exactly when source is follow_up"))
        }
        return errors
    }

    /// SHA-256 of the content, hex: equal for byte-different but equal submissions.
    public var contentHash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
