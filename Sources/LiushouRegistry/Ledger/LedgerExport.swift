import Foundation
import LiushouPlatform
import LiushouPostgres

/// Writes person files as a ledger in the import's columns (so an unmasked export re-imports).
public struct LedgerExport {
    private var writer = CSVWriter()
    private var units: [UUID: UnitBrief?] = [:]
    private var households: [UUID: String?] = [:]
    private var codes: [UUID: String?] = [:]
    let transaction: PostgresTransaction

    /// An export whose unit and household names are read in `transaction`.
    public init(transaction: PostgresTransaction) {
        self.transaction = transaction
        self.writer.append(LedgerColumn.allCases.map(\.rawValue))
    }

    /// The columns of numbers Excel must keep as written, for the file to re-import.
    static let numberColumns: Set<Int> = Set(
        [
            LedgerColumn.idNumber, .phone, .villageCode, .householdCode, .guardianPhone, .guardianIDNumber, .fatherIDNumber, .fatherPhone,
            .motherIDNumber, .motherPhone, .relativePhone, .cadrePhone,
        ].compactMap { LedgerColumn.allCases.firstIndex(of: $0) }
    )

    /// The CSV text so far.
    public var text: String { self.writer.text }

    /// Appends a file (already masked as the caller may see it).
    public mutating func append(_ record: PersonRecord) async throws {
        let file = record.file
        let grid = try await file.gridId.asyncMap { try await self.unit($0) } ?? nil
        let school = try await file.child?.schoolId.asyncMap { try await self.unit($0) } ?? nil
        let household = try await file.householdId.asyncMap { try await self.household($0) } ?? nil
        let father = file.migrantFamily?.first { $0.relationship == .father }
        let mother = file.migrantFamily?.first { $0.relationship == .mother }
        let relative = file.migrantFamily?.first { $0.relationship != .father && $0.relationship != .mother }
        let villageCode = try await self.code(file.villageId)
        var cells: [LedgerColumn: String?] = [
            .name: file.name, .sex: file.sex?.chineseName, .ethnicity: file.ethnicity, .idNumber: file.idNumber,
            .birthDate: file.birthDate?.description, .phone: file.phone,
            .categories: file.activeCategories.map(\.chineseName).joined(separator: "、"),
            .categoriesSince: file.categories.filter { $0.endedOn == nil }.map(\.startedOn).min()?.description,
            .householdRegistration: file.householdRegistration, .currentAddress: file.currentAddress, .villageCode: villageCode,
            .grid: grid?.name, .householdCode: household, .health: file.health?.status.chineseName,
            .disabilityType: file.health?.disabilityType, .disabilityGrade: file.health?.disabilityGrade.map(String.init),
            .illness: file.health?.illness, .assistance: file.assistance?.map(\.chineseName).joined(separator: "、"),
            .incomeSource: file.incomeSource, .riskLevel: file.riskLevel?.chineseName,
        ]
        if let child = file.child {
            cells[.schoolStage] = child.schoolStage?.chineseName
            cells[.school] = school?.name
            cells[.boarding] = child.boarding.map { $0 ? "是" : "否" }
            cells[.parentsAway] = child.parentsAway?.chineseName
            cells[.guardianshipType] = child.guardianshipType?.chineseName
            cells[.guardianshipAssessment] = child.guardianshipAssessment?.chineseName
            cells[.guardianName] = child.guardian?.name
            cells[.guardianPhone] = child.guardian?.phone
            cells[.guardianIDNumber] = child.guardian?.idNumber
            cells[.guardianRelationship] = child.guardian?.relationship
            cells[.guardianAddress] = child.guardian?.address
            cells[.guardianshipConfirmedOn] = child.guardianshipConfirmedOn?.description
        }
        for (member, columns) in [
            (father, [LedgerColumn.fatherName, .fatherIDNumber, .fatherPhone, .fatherProvince, .fatherCity, .fatherEmployer]),
            (mother, [.motherName, .motherIDNumber, .motherPhone, .motherProvince, .motherCity, .motherEmployer]),
        ] {
            guard let member else { continue }
            for (column, value) in zip(columns, [member.name, member.idNumber, member.phone, member.workProvince, member.workCity, member.employer]) {
                cells[column] = value
            }
        }
        if let relative {
            cells[.relativeName] = relative.name
            cells[.relativeRelationship] = relative.relationship.chineseName
            cells[.relativePhone] = relative.phone
            cells[.relativeProvince] = relative.workProvince
            cells[.relativeCity] = relative.workCity
        }
        cells[.livingArrangement] = file.elder?.livingArrangement?.chineseName
        cells[.selfCare] = file.elder?.selfCare?.chineseName
        cells[.chronicIllness] = file.elder?.chronicIllness
        cells[.employment] = file.woman?.employment
        cells[.trainingNeeds] = file.woman?.trainingNeeds
        cells[.cadreName] = file.responsibleCadre?.name
        cells[.cadrePhone] = file.responsibleCadre?.phone
        cells[.fileVersion] = String(record.version)
        self.writer.append(LedgerColumn.allCases.map { (cells[$0] ?? nil) ?? "" }, keepingDigits: Self.numberColumns)
    }

    private mutating func unit(_ id: UUID) async throws -> UnitBrief? {
        if let known = self.units[id] { return known }
        let loaded = try await UnitBrief.load(id, in: self.transaction)
        self.units[id] = loaded
        return loaded
    }

    private mutating func code(_ id: UUID) async throws -> String? {
        if let known = self.codes[id] { return known }
        let code = try await self.transaction.query("select code from org_unit where id = \(id)").first?.decode("code", as: String?.self)
        self.codes[id] = code
        return code
    }

    private mutating func household(_ id: UUID) async throws -> String? {
        if let known = self.households[id] { return known }
        let code = try await self.transaction.query("select code from household where id = \(id)").first?.decode("code", as: String?.self)
        self.households[id] = code
        return code
    }
}
