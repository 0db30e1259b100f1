import Foundation
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Checks a file's content and normalises it (ID numbers upper-case, phones compact, text trimmed,
/// sex and birth date taken from the ID number). Unit references are checked against the database
/// by `PersonService`.
public struct PersonValidator: Sendable {
    /// The date ages and "not in the future" are judged on (China Standard Time).
    public let today: LocalDate

    /// A validator judging ages on `today`.
    public init(today: LocalDate = ChinaClock.system.today()) {
        self.today = today
    }

    /// The normalised file, or every problem found (field paths as in the JSON body).
    public func validate(_ input: PersonFile) -> Result<PersonFile, ValidationFailure> {
        var file = input
        var errors: [Problem.FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(.init(field: field, message: message)) }

        file.name = input.name.trimmingWhitespace()
        if !(1...50).contains(file.name.unicodeScalars.count) { fail("name", "must have 1 to 50 characters") }
        file.ethnicity = Self.trimmed(input.ethnicity)
        file.householdRegistration = Self.trimmed(input.householdRegistration)
        file.currentAddress = Self.trimmed(input.currentAddress)
        file.incomeSource = Self.trimmed(input.incomeSource)
        file.notes = Self.trimmed(input.notes)
        for (field, value, limit) in [
            ("ethnicity", file.ethnicity, 20), ("householdRegistration", file.householdRegistration, 200),
            ("currentAddress", file.currentAddress, 200), ("incomeSource", file.incomeSource, 100),
            ("notes", file.notes, 2000),
        ] where (value?.unicodeScalars.count ?? 0) > limit {
            fail(field, "must have at most \(limit) characters")
        }

        if let text = Self.trimmed(input.idNumber) {
            do {
                let number = try ResidentIDNumber(text)
                file.idNumber = number.value
                let derivedSex: Sex = number.sex == .male ? .male : .female
                if let sex = input.sex, sex != derivedSex {
                    fail("sex", "does not match the ID number, which encodes \(derivedSex.rawValue)")
                }
                if let birthDate = input.birthDate, birthDate != number.birthDate {
                    fail("birthDate", "does not match the ID number, which encodes \(number.birthDate)")
                }
                file.sex = derivedSex
                file.birthDate = number.birthDate
            } catch let problem as ResidentIDNumber.Problem {
                fail("idNumber", problem.description)
            } catch {
                fail("idNumber", "is not a valid ID number")
            }
        } else {
            file.idNumber = nil
            if input.sex == nil { fail("sex", "is required when there is no ID number") }
            if input.birthDate == nil { fail("birthDate", "is required when there is no ID number") }
        }
        if let birthDate = file.birthDate, birthDate > self.today { fail("birthDate", "is in the future") }

        file.phone = Self.phone(input.phone, "phone", fail)
        if let cadre = input.responsibleCadre {
            file.responsibleCadre?.name = cadre.name.trimmingSpaces()
            if file.responsibleCadre?.name.isEmpty == true { fail("responsibleCadre.name", "is required") }
            file.responsibleCadre?.phone = Self.phone(cadre.phone, "responsibleCadre.phone", fail)
        }

        self.validateCategories(&file, fail)
        self.validateChild(&file, fail)
        self.validateMembers(&file, fail)
        if let health = file.health {
            if health.status == .disabled, let grade = health.disabilityGrade, !(1...4).contains(grade) {
                fail("health.disabilityGrade", "must be 1 to 4")
            }
            if health.status != .disabled, health.disabilityType != nil || health.disabilityGrade != nil {
                fail("health.status", "must be disabled when a disability is described")
            }
        }
        if let flags = file.riskFlags {
            file.riskFlags = Array(Set(flags.map { $0.trimmingSpaces() }.filter { !$0.isEmpty })).sorted()
            if flags.contains(where: { $0.count > 40 }) { fail("riskFlags", "each flag must have at most 40 characters") }
        }
        if let assistance = file.assistance {
            file.assistance = Array(Set(assistance)).sorted { $0.rawValue < $1.rawValue }
        }
        file.riskLevel = file.riskLevel ?? .normal
        return errors.isEmpty ? .success(file) : .failure(ValidationFailure(errors: errors))
    }

    private func validateCategories(_ file: inout PersonFile, _ fail: (String, String) -> Void) {
        if file.categories.isEmpty { fail("categories", "name at least one category") }
        var open = Set<PersonCategory>()
        for (index, period) in file.categories.enumerated() {
            if let ended = period.endedOn, ended < period.startedOn {
                fail("categories[\(index)].endedOn", "is before startedOn")
            }
            if period.startedOn > self.today { fail("categories[\(index)].startedOn", "is in the future") }
            if period.endedOn == nil, !open.insert(period.category).inserted {
                fail("categories[\(index)]", "\(period.category.rawValue) is already open")
            }
        }
        guard let birthDate = file.birthDate else { return }
        let age = Self.age(born: birthDate, on: self.today)
        if open.contains(where: \.isChild), age >= 18 { fail("categories", "a child category needs an age under 18 (age \(age))") }
        if open.contains(.leftBehindElder), age < 60 { fail("categories", "left_behind_elder needs an age of 60 or more (age \(age))") }
        if open.contains(.leftBehindWoman), file.sex == .male { fail("categories", "left_behind_woman needs sex female") }
    }

    private func validateChild(_ file: inout PersonFile, _ fail: (String, String) -> Void) {
        guard var child = file.child else { return }
        // A dropped-out child stays on the school's roll (控辍保学), so the file may still name the school.
        if let stage = child.schoolStage, !stage.attendsSchool, stage != .droppedOut, child.schoolId != nil {
            fail("child.schoolId", "must be empty for school stage \(stage.rawValue)")
        }
        if let confirmed = child.guardianshipConfirmedOn, confirmed > self.today {
            fail("child.guardianshipConfirmedOn", "is in the future")
        }
        if var guardian = child.guardian {
            guardian.name = guardian.name.trimmingSpaces()
            guardian.relationship = guardian.relationship.trimmingSpaces()
            if !(1...50).contains(guardian.name.count) { fail("child.guardian.name", "must have 1 to 50 characters") }
            if !(1...20).contains(guardian.relationship.count) { fail("child.guardian.relationship", "must have 1 to 20 characters") }
            guardian.phone = Self.phone(guardian.phone, "child.guardian.phone", fail)
            guardian.idNumber = self.idNumber(guardian.idNumber, "child.guardian.idNumber", fail)
            guardian.address = Self.trimmed(guardian.address)
            child.guardian = guardian
        }
        file.child = child
    }

    private func validateMembers(_ file: inout PersonFile, _ fail: (String, String) -> Void) {
        guard let members = file.migrantFamily else { return }
        file.migrantFamily = members.enumerated().map { index, input in
            var member = input
            member.name = input.name.trimmingSpaces()
            if !(1...50).contains(member.name.count) { fail("migrantFamily[\(index)].name", "must have 1 to 50 characters") }
            member.idNumber = self.idNumber(input.idNumber, "migrantFamily[\(index)].idNumber", fail)
            member.phone = Self.phone(input.phone, "migrantFamily[\(index)].phone", fail)
            member.workProvince = Self.trimmed(input.workProvince)
            member.workCity = Self.trimmed(input.workCity)
            member.employer = Self.trimmed(input.employer)
            for (field, date) in [("awaySince", member.awaySince), ("lastContactOn", member.lastContactOn)] {
                if let date, date > self.today { fail("migrantFamily[\(index)].\(field)", "is in the future") }
            }
            return member
        }
    }

    /// Whole years from `born` to `on`.
    public static func age(born: LocalDate, on date: LocalDate) -> Int {
        var years = date.year - born.year
        if (date.month, date.day) < (born.month, born.day) { years -= 1 }
        return years
    }

    private static func trimmed(_ text: String?) -> String? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }

    private static func phone(_ text: String?, _ field: String, _ fail: (String, String) -> Void) -> String? {
        guard let text = trimmed(text) else { return nil }
        guard let phone = PhoneNumber(text) else {
            fail(field, "must be a mobile number (11 digits, 1[3-9]…) or a landline with area code (0564-4552466)")
            return text
        }
        return phone.value
    }

    /// A relative's ID number: valid, and born by today (a number "born" next year is a typing slip).
    private func idNumber(_ text: String?, _ field: String, _ fail: (String, String) -> Void) -> String? {
        guard let text = Self.trimmed(text) else { return nil }
        do {
            let number = try ResidentIDNumber(text)
            if number.birthDate > self.today { fail(field, "holds a birth date in the future") }
            return number.value
        } catch {
            fail(field, (error as? ResidentIDNumber.Problem)?.description ?? "is not a valid ID number")
            return text
        }
    }
}

/// Field problems found in a file.
public struct ValidationFailure: Error, Sendable {
    public var errors: [Problem.FieldError]
}
