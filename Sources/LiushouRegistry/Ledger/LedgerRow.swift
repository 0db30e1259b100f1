import Foundation
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// One ledger row read into a file, with the units it names still unresolved (codes and names).
public struct LedgerRow: Sendable {
    /// The row as a spreadsheet numbers it (the header is row 1).
    public var line: Int
    /// The file content (`villageId` is a placeholder until resolved).
    public var file: PersonFile
    public var villageCode: String
    public var gridName: String?
    public var schoolName: String?
    public var householdCode: String?
    /// The file's version the row was exported at (`档案版本`), if the ledger has the column.
    public var fileVersion: Int?

    /// Reads a row; problems name the column.
    public static func parse(line: Int, values: [LedgerColumn: String], today: LocalDate) -> Result<LedgerRow, ValidationFailure> {
        var errors: [Problem.FieldError] = []
        // PostgreSQL cannot store NUL in text: the row fails naming its column, not the import.
        if values.values.contains(where: { $0.utf8.contains(0) }) {
            for (column, value) in values.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where value.utf8.contains(0) {
                errors.append(.init(field: column.rawValue, message: "must not contain the NUL character"))
            }
        }
        func text(_ column: LedgerColumn) -> String? {
            guard var value = values[column]?.trimmingWhitespace(), !value.isEmpty else { return nil }
            // The apostrophe an export put before a formula-like cell (CSVWriter.cell) goes again.
            let scalars = value.unicodeScalars
            if scalars.first == "'", let second = scalars.dropFirst().first, ["=", "+", "-", "@"].contains(second) { value.removeFirst() }
            return value
        }
        func vocabulary<T: ChineseNamed>(_ column: LedgerColumn, _ type: T.Type) -> T? {
            guard let value = text(column) else { return nil }
            guard let parsed = T.parse(value) else {
                errors.append(.init(field: column.rawValue, message: "must be one of " + T.allCases.map(\.chineseName).joined(separator: "、")))
                return nil
            }
            return parsed
        }
        func date(_ column: LedgerColumn) -> LocalDate? {
            guard let value = text(column) else { return nil }
            let normalised = value.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-")
            let parts = normalised.split(separator: "-").compactMap { Int($0) }
            // Years 1900 to 2100, as stored files are read back (a year such as 24 for 2024 is refused).
            if parts.count == 3, (1900...2100).contains(parts[0]), let parsed = LocalDate(year: parts[0], month: parts[1], day: parts[2]) {
                return parsed
            }
            if value.count == 8, let number = Int(value), (1900...2100).contains(number / 10000),
                let parsed = LocalDate(year: number / 10000, month: number / 100 % 100, day: number % 100)
            {
                return parsed
            }
            errors.append(.init(field: column.rawValue, message: "must be a date such as 2024-09-01"))
            return nil
        }
        let name = text(.name) ?? ""
        if name.isEmpty { errors.append(.init(field: LedgerColumn.name.rawValue, message: "is required")) }
        let villageCode = text(.villageCode) ?? ""
        if villageCode.count != 12 || !villageCode.allSatisfy(\.isNumber) {
            errors.append(.init(field: LedgerColumn.villageCode.rawValue, message: "must be the village's 12-digit code"))
        }
        if text(.idNumber) == nil {
            errors.append(.init(field: LedgerColumn.idNumber.rawValue, message: "is required to import (re-imports match on it)"))
        }
        let since = date(.categoriesSince) ?? today
        var categories: [CategoryPeriod] = []
        for part in (text(.categories) ?? "").split(whereSeparator: { "、;；,，/ ".contains($0) }) {
            if let category = PersonCategory.parse(String(part)) {
                categories.append(CategoryPeriod(category: category, startedOn: since))
            } else {
                errors.append(.init(field: LedgerColumn.categories.rawValue, message: "\(part) is not one of 留守儿童、困境儿童、留守妇女、留守老人"))
            }
        }
        var file = PersonFile(
            name: name,
            sex: vocabulary(.sex, Sex.self),
            ethnicity: text(.ethnicity),
            birthDate: date(.birthDate),
            idNumber: text(.idNumber),
            phone: text(.phone),
            householdRegistration: text(.householdRegistration),
            currentAddress: text(.currentAddress),
            villageId: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            gridId: nil,
            householdId: nil,
            categories: categories
        )
        if let status = vocabulary(.health, HealthStatus.self) {
            let grade = text(.disabilityGrade).flatMap { value -> Int? in
                guard let grade = Self.disabilityGrade(value) else {
                    errors.append(.init(field: LedgerColumn.disabilityGrade.rawValue, message: "must be a grade from 1 to 4, such as 二级"))
                    return nil
                }
                return grade
            }
            file.health = .init(status: status, disabilityType: text(.disabilityType), disabilityGrade: grade, illness: text(.illness))
        }
        if let assistance = text(.assistance) {
            file.assistance = assistance.split(whereSeparator: { "、;；,，/ ".contains($0) }).compactMap { part in
                let kind = AssistanceKind.parse(String(part))
                if kind == nil { errors.append(.init(field: LedgerColumn.assistance.rawValue, message: "\(part) is not a kind of assistance")) }
                return kind
            }
        }
        file.incomeSource = text(.incomeSource)
        file.riskLevel = vocabulary(.riskLevel, RiskLevel.self)
        let stage = vocabulary(.schoolStage, SchoolStage.self)
        let boarding = text(.boarding).flatMap { value -> Bool? in
            guard let answer = Self.yesOrNo(value) else {
                errors.append(.init(field: LedgerColumn.boarding.rawValue, message: "must be 是 or 否"))
                return nil
            }
            return answer
        }
        // A person's details without their name would be dropped without a word: the row fails instead
        // (a placeholder such as 无 or / is no detail).
        for (nameColumn, detailColumns) in Self.namedGroups {
            let filled = detailColumns.filter { text($0).map { !Self.placeholders.contains($0) } ?? false }
            if text(nameColumn) == nil, !filled.isEmpty {
                errors.append(
                    .init(
                        field: nameColumn.rawValue,
                        message: "is required when the row fills " + filled.map(\.rawValue).joined(separator: "、")
                    )
                )
            }
        }
        var guardian: PersonFile.Guardian? = nil
        if let guardianName = text(.guardianName) {
            guardian = .init(
                personId: nil,
                name: guardianName,
                phone: text(.guardianPhone),
                idNumber: text(.guardianIDNumber),
                relationship: text(.guardianRelationship) ?? "",
                address: text(.guardianAddress)
            )
        }
        let child = PersonFile.Child(
            schoolStage: stage,
            schoolId: nil,
            boarding: boarding,
            parentsAway: vocabulary(.parentsAway, ParentsAway.self),
            guardianshipType: vocabulary(.guardianshipType, GuardianshipType.self),
            guardianshipAssessment: vocabulary(.guardianshipAssessment, GuardianshipAssessment.self),
            guardian: guardian,
            guardianshipConfirmedOn: date(.guardianshipConfirmedOn)
        )
        if child != PersonFile.Child() {
            file.child = child
        }
        var members: [PersonFile.MigrantMember] = []
        for (relationship, nameColumn, idColumn, phoneColumn, provinceColumn, cityColumn, employerColumn) in [
            (
                FamilyRelationship.father, LedgerColumn.fatherName, LedgerColumn.fatherIDNumber, LedgerColumn.fatherPhone,
                LedgerColumn.fatherProvince, LedgerColumn.fatherCity, LedgerColumn.fatherEmployer
            ),
            (.mother, .motherName, .motherIDNumber, .motherPhone, .motherProvince, .motherCity, .motherEmployer),
        ] {
            guard let memberName = text(nameColumn) else { continue }
            members.append(
                .init(
                    name: memberName,
                    relationship: relationship,
                    idNumber: text(idColumn),
                    workProvince: text(provinceColumn),
                    workCity: text(cityColumn),
                    employer: text(employerColumn),
                    phone: text(phoneColumn)
                )
            )
        }
        if let relativeName = text(.relativeName) {
            members.append(
                .init(
                    name: relativeName,
                    relationship: vocabulary(.relativeRelationship, FamilyRelationship.self) ?? .other,
                    idNumber: nil,
                    workProvince: text(.relativeProvince),
                    workCity: text(.relativeCity),
                    employer: nil,
                    phone: text(.relativePhone)
                )
            )
        }
        file.migrantFamily = members.isEmpty ? nil : members
        let elder = PersonFile.Elder(
            livingArrangement: vocabulary(.livingArrangement, LivingArrangement.self),
            selfCare: vocabulary(.selfCare, SelfCareAbility.self),
            chronicIllness: text(.chronicIllness)
        )
        if elder != PersonFile.Elder(livingArrangement: nil, selfCare: nil, chronicIllness: nil) { file.elder = elder }
        let woman = PersonFile.Woman(employment: text(.employment), trainingNeeds: text(.trainingNeeds))
        if woman != PersonFile.Woman(employment: nil, trainingNeeds: nil) { file.woman = woman }
        if let cadre = text(.cadreName) { file.responsibleCadre = .init(name: cadre, phone: text(.cadrePhone)) }
        // The household table holds numbers of 1 to 40 characters (counted as the database counts them).
        if let code = text(.householdCode), code.unicodeScalars.count > 40 {
            errors.append(.init(field: LedgerColumn.householdCode.rawValue, message: "must have at most 40 characters"))
        }
        let fileVersion = text(.fileVersion).flatMap { value -> Int? in
            guard let version = Int(value), version >= 1 else {
                errors.append(.init(field: LedgerColumn.fileVersion.rawValue, message: "must be the file's version from an export (1, 2, …)"))
                return nil
            }
            return version
        }
        guard errors.isEmpty else { return .failure(ValidationFailure(errors: errors)) }
        return .success(
            LedgerRow(
                line: line,
                file: file,
                villageCode: villageCode,
                gridName: text(.grid),
                schoolName: text(.school),
                householdCode: text(.householdCode),
                fileVersion: fileVersion
            )
        )
    }
}

extension LedgerRow {
    /// Each person a row may name, and the columns that only mean something with that name.
    static let namedGroups: [(LedgerColumn, [LedgerColumn])] = [
        (.guardianName, [.guardianPhone, .guardianIDNumber, .guardianRelationship, .guardianAddress]),
        (.fatherName, [.fatherIDNumber, .fatherPhone, .fatherProvince, .fatherCity, .fatherEmployer]),
        (.motherName, [.motherIDNumber, .motherPhone, .motherProvince, .motherCity, .motherEmployer]),
        (.relativeName, [.relativeRelationship, .relativePhone, .relativeProvince, .relativeCity]),
        (.cadreName, [.cadrePhone]),
    ]

    /// What ledgers write in a cell that holds nothing.
    static let placeholders: Set<String> = ["无", "/", "／", "-", "－", "—", "\\", "空"]

    /// 是/否 as ledgers write it (寄宿, 住校, √, Y; 走读, ×, N), or nil when it says neither.
    static func yesOrNo(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "是", "yes", "y", "true", "1", "寄宿", "寄宿生", "住校", "住校生", "√", "✓", "有": return true
        case "否", "no", "n", "false", "0", "走读", "走读生", "不寄宿", "非寄宿", "×", "✗", "x", "无": return false
        default: return nil
        }
    }

    /// A disability grade of 1 to 4 as written: 2, 2级, 二级, 贰级, Ⅱ级.
    static func disabilityGrade(_ value: String) -> Int? {
        var text = value.replacingOccurrences(of: " ", with: "")
        if text.hasSuffix("残疾") { text.removeLast(2) }
        if text.hasSuffix("级") { text.removeLast() }
        if text.hasPrefix("第") { text.removeFirst() }
        switch text.uppercased() {
        case "1", "一", "壹", "Ⅰ", "I": return 1
        case "2", "二", "贰", "Ⅱ", "II": return 2
        case "3", "三", "叁", "Ⅲ", "III": return 3
        case "4", "四", "肆", "Ⅳ", "IV": return 4
        default: return nil
        }
    }
}
