import Foundation
import LiushouPostgres

/// The content of a person's file (一人一档) as clients write and read it; the server adds identity,
/// status, completeness and sign-off around it (`PersonRecord`).
public struct PersonFile: Sendable, Codable, Equatable {
    /// Health summary.
    public struct Health: Sendable, Codable, Equatable {
        public var status: HealthStatus
        /// 残疾类别, e.g. 肢体, 视力 (when disabled).
        public var disabilityType: String?
        /// 残疾等级 1–4 (when disabled).
        public var disabilityGrade: Int?
        /// The illness (when major illness).
        public var illness: String?
    }

    /// A guardian: a person in the registry (`personId`) or a contact.
    public struct Guardian: Sendable, Codable, Equatable {
        public var personId: UUID?
        public var name: String
        public var phone: String?
        public var idNumber: String?
        /// 与儿童关系, e.g. 祖父, 外祖母, 叔叔.
        public var relationship: String
        public var address: String?

        public init(personId: UUID? = nil, name: String, phone: String? = nil, idNumber: String? = nil, relationship: String, address: String? = nil)
        {
            self.personId = personId
            self.name = name
            self.phone = phone
            self.idNumber = idNumber
            self.relationship = relationship
            self.address = address
        }
    }

    /// Child specifics.
    public struct Child: Sendable, Codable, Equatable {
        public var schoolStage: SchoolStage?
        /// The school (an organisation unit of kind school).
        public var schoolId: UUID?
        public var boarding: Bool?
        public var parentsAway: ParentsAway?
        public var guardianshipType: GuardianshipType?
        public var guardianshipAssessment: GuardianshipAssessment?
        public var guardian: Guardian?
        /// When the 委托监护确认书 was signed.
        public var guardianshipConfirmedOn: LocalDate?

        /// Child details, all empty unless given.
        public init(
            schoolStage: SchoolStage? = nil,
            schoolId: UUID? = nil,
            boarding: Bool? = nil,
            parentsAway: ParentsAway? = nil,
            guardianshipType: GuardianshipType? = nil,
            guardianshipAssessment: GuardianshipAssessment? = nil,
            guardian: Guardian? = nil,
            guardianshipConfirmedOn: LocalDate? = nil
        ) {
            self.schoolStage = schoolStage
            self.schoolId = schoolId
            self.boarding = boarding
            self.parentsAway = parentsAway
            self.guardianshipType = guardianshipType
            self.guardianshipAssessment = guardianshipAssessment
            self.guardian = guardian
            self.guardianshipConfirmedOn = guardianshipConfirmedOn
        }
    }

    /// Elder specifics.
    public struct Elder: Sendable, Codable, Equatable {
        public var livingArrangement: LivingArrangement?
        public var selfCare: SelfCareAbility?
        public var chronicIllness: String?
    }

    /// Woman specifics.
    public struct Woman: Sendable, Codable, Equatable {
        public var employment: String?
        public var trainingNeeds: String?
    }

    /// A family member working away (parents, spouse, children).
    public struct MigrantMember: Sendable, Codable, Equatable {
        public var name: String
        public var relationship: FamilyRelationship
        public var idNumber: String?
        public var workProvince: String?
        public var workCity: String?
        public var employer: String?
        public var phone: String?
        public var awaySince: LocalDate?
        public var lastContactOn: LocalDate?
    }

    /// A named contact with a phone (e.g. the 包保 cadre of the ledger).
    public struct Contact: Sendable, Codable, Equatable {
        public var name: String
        public var phone: String?
    }

    public var name: String
    public var sex: Sex?
    public var ethnicity: String?
    public var birthDate: LocalDate?
    public var idNumber: String?
    public var phone: String?
    /// 户籍地.
    public var householdRegistration: String?
    public var currentAddress: String?
    /// The village (required) and, finer, the grid the person belongs to.
    public var villageId: UUID
    public var gridId: UUID?
    public var householdId: UUID?
    public var categories: [CategoryPeriod]
    public var health: Health?
    public var assistance: [AssistanceKind]?
    public var incomeSource: String?
    public var child: Child?
    public var elder: Elder?
    public var woman: Woman?
    public var migrantFamily: [MigrantMember]?
    public var riskLevel: RiskLevel?
    public var riskFlags: [String]?
    /// The cadre who answers for this person (包保责任人), as printed on the contact card.
    public var responsibleCadre: Contact?
    public var notes: String?

    /// A file; everything but the name, village and categories may be filled in later.
    public init(
        name: String,
        sex: Sex? = nil,
        ethnicity: String? = nil,
        birthDate: LocalDate? = nil,
        idNumber: String? = nil,
        phone: String? = nil,
        householdRegistration: String? = nil,
        currentAddress: String? = nil,
        villageId: UUID,
        gridId: UUID? = nil,
        householdId: UUID? = nil,
        categories: [CategoryPeriod]
    ) {
        self.name = name
        self.sex = sex
        self.ethnicity = ethnicity
        self.birthDate = birthDate
        self.idNumber = idNumber
        self.phone = phone
        self.householdRegistration = householdRegistration
        self.currentAddress = currentAddress
        self.villageId = villageId
        self.gridId = gridId
        self.householdId = householdId
        self.categories = categories
    }

    /// Categories open today.
    public var activeCategories: [PersonCategory] {
        Array(Set(self.categories.filter { $0.endedOn == nil }.map(\.category))).sorted { $0.rawValue < $1.rawValue }
    }
}

extension PersonFile {
    /// Applies `transform` to every ID number in the file (sealing, opening, masking).
    public func mappingIDNumbers(_ transform: (String) throws -> String) rethrows -> PersonFile {
        var copy = self
        copy.idNumber = try copy.idNumber.map(transform)
        let guardianID = try self.child?.guardian?.idNumber.map(transform)
        copy.child?.guardian?.idNumber = guardianID
        copy.migrantFamily = try copy.migrantFamily?.map { member in
            var member = member
            member.idNumber = try member.idNumber.map(transform)
            return member
        }
        return copy
    }

    /// Applies `transform` to every phone number in the file.
    public func mappingPhones(_ transform: (String) throws -> String) rethrows -> PersonFile {
        var copy = self
        copy.phone = try copy.phone.map(transform)
        let guardianPhone = try self.child?.guardian?.phone.map(transform)
        copy.child?.guardian?.phone = guardianPhone
        let cadrePhone = try self.responsibleCadre?.phone.map(transform)
        copy.responsibleCadre?.phone = cadrePhone
        copy.migrantFamily = try copy.migrantFamily?.map { member in
            var member = member
            member.phone = try member.phone.map(transform)
            return member
        }
        return copy
    }
}
