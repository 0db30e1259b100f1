import Foundation
import LiushouAccess
import LiushouPostgres

/// Where a volunteer comes from (党员, 五老, teachers, students, 妇联, companies).
public enum VolunteerOrganisation: String, Sendable, Codable, CaseIterable {
    case partyMember = "party_member"
    case fiveElders = "five_elders"
    case teacher
    case student
    case womensFederation = "womens_federation"
    case company
    case other
}

/// What a volunteer can help with.
public enum VolunteerSkill: String, Sendable, Codable, CaseIterable {
    case tutoring
    case counselling
    case medical
    case legal
    case dailyCare = "daily_care"
}

/// The background check: only volunteers who passed may be paired with children.
public enum ScreeningStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case passed
    case failed
}

/// A volunteer as a client registers or changes one (the id is the client's, so retries never duplicate).
public struct VolunteerInput: Sendable, Codable, Equatable {
    public var id: UUID?
    /// The register: a town, or a village for its own volunteers.
    public var unitId: UUID
    /// The volunteer's login (volunteer role, or school staff for a teacher).
    public var accountId: UUID?
    public var name: String
    public var phone: String?
    /// 18-character ID number; stored sealed, always answered masked. Omitted on change: kept.
    public var idNumber: String?
    public var organisation: VolunteerOrganisation
    public var organisationName: String?
    public var skills: [VolunteerSkill]?
    public var availability: String?
    public var screening: ScreeningStatus
    public var screenedOn: LocalDate?
}

/// A registered volunteer as answered (ID number masked; the phone masked unless revealed).
public struct Volunteer: Sendable, Codable, Equatable {
    public var id: UUID
    public var unitId: UUID
    public var accountId: UUID?
    public var name: String
    public var phone: String?
    public var idNumber: String?
    public var organisation: VolunteerOrganisation
    public var organisationName: String?
    public var skills: [VolunteerSkill]
    public var availability: String?
    public var screening: ScreeningStatus
    public var screenedOn: LocalDate?
    public var version: Int
}

extension Volunteer {
    /// The volunteer with the phone as the caller may see it: masked unless `revealed`.
    public func masked(revealing revealed: Bool = false) -> Volunteer {
        var copy = self
        if !revealed { copy.phone = self.phone.map(Masking.phone) }
        return copy
    }
}
