import Foundation
import LiushouGrid
import LiushouHTTP
import LiushouPostgres
import LiushouRegistry

/// Content rules for volunteers, pairings, visits and effect checks (field paths as in the JSON).
enum VolunteerRules {
    static func problems(_ input: VolunteerInput, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if !(1...50).contains(input.name.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count) {
            errors.append(.init(field: "name", message: "must have 1 to 50 characters"))
        }
        if let phone = input.phone, phone.range(of: #"\A[0-9+ -]{5,20}\z"#, options: .regularExpression) == nil {
            errors.append(.init(field: "phone", message: "must be 5 to 20 digits (with + - or spaces)"))
        }
        if let idNumber = input.idNumber {
            do {
                _ = try ResidentIDNumber(idNumber)
            } catch let problem as ResidentIDNumber.Problem {
                errors.append(.init(field: "idNumber", message: problem.description))
            } catch {
                errors.append(.init(field: "idNumber", message: "is not a valid ID number"))
            }
        }
        if (input.organisationName?.unicodeScalars.count ?? 0) > 100 {
            errors.append(.init(field: "organisationName", message: "must have at most 100 characters"))
        }
        if (input.availability?.unicodeScalars.count ?? 0) > 500 {
            errors.append(.init(field: "availability", message: "must have at most 500 characters"))
        }
        if let skills = input.skills, Set(skills).count != skills.count { errors.append(.init(field: "skills", message: "must not repeat a skill")) }
        if input.screening != .pending, input.screenedOn == nil {
            errors.append(.init(field: "screenedOn", message: "give the date of the background check when it is \(input.screening.rawValue)"))
        }
        if let screened = input.screenedOn, screened > today { errors.append(.init(field: "screenedOn", message: "is in the future")) }
        return errors
    }

    static func problems(_ input: PairingInput, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if !(1...10).contains(input.helpers.count) || Set(input.helpers).count != input.helpers.count {
            errors.append(.init(field: "helpers", message: "name 1 to 10 different volunteers"))
        }
        let people = input.people.map(\.personId)
        if !(1...20).contains(people.count) || Set(people).count != people.count {
            errors.append(.init(field: "people", message: "name 1 to 20 different people"))
        }
        if !(1...2000).contains(input.goals.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count) {
            errors.append(.init(field: "goals", message: "describe the pairing's goals (1 to 2000 characters)"))
        }
        if let end = input.endOn, end < input.startOn { errors.append(.init(field: "endOn", message: "is before startOn")) }
        if input.startOn.daysSince1970 > today.daysSince1970 + 365 { errors.append(.init(field: "startOn", message: "is more than a year ahead")) }
        for (index, person) in input.people.enumerated() {
            if (person.consentBy == nil) != (person.consentOn == nil) {
                errors.append(.init(field: "people[\(index)].consentOn", message: "give who consented and when together"))
            }
            if let by = person.consentBy, !(1...50).contains(by.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count) {
                errors.append(.init(field: "people[\(index)].consentBy", message: "must have 1 to 50 characters"))
            }
            if let on = person.consentOn, on > today { errors.append(.init(field: "people[\(index)].consentOn", message: "is in the future")) }
        }
        return errors
    }

    static func problems(_ input: VolunteerVisitInput) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if input.activities.isEmpty || Set(input.activities).count != input.activities.count {
            errors.append(.init(field: "activities", message: "name what was done, each activity once"))
        }
        if !(1...720).contains(input.durationMinutes) { errors.append(.init(field: "durationMinutes", message: "must be 1 to 720 minutes")) }
        // A visit is service time with the person: nobody home is not a visit (and no service hours).
        if !input.outcome.seesPerson {
            errors.append(.init(field: "outcome", message: "a volunteer visit is recorded when the person was seen, not \(input.outcome.rawValue)"))
        }
        return errors
    }

    static func problems(_ input: ProgressCheckInput, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if input.assessedOn > today { errors.append(.init(field: "assessedOn", message: "is in the future")) }
        if (input.notes?.unicodeScalars.count ?? 0) > 2000 { errors.append(.init(field: "notes", message: "must have at most 2000 characters")) }
        return errors
    }
}
