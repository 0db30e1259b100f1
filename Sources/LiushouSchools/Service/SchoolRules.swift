import Foundation
import LiushouHTTP
import LiushouPostgres

/// Content rules for the schools module's inputs (field paths as in the JSON).
enum SchoolRules {
    /// Dates must not lie in the future nor more than 20 years back.
    static func date(_ date: LocalDate, _ field: String, today: LocalDate, into errors: inout [Problem.FieldError]) {
        if date > today { errors.append(.init(field: field, message: "is in the future")) }
        if date.daysSince1970 < today.daysSince1970 - 7305 { errors.append(.init(field: field, message: "is more than 20 years ago")) }
    }

    static func text(_ value: String?, _ field: String, max: Int, required: Bool = false, into errors: inout [Problem.FieldError]) {
        let count = value?.trimmingCharacters(in: .whitespacesAndNewlines).count ?? 0
        if required, count == 0 { errors.append(.init(field: field, message: "must not be empty (at most \(max) characters)")) }
        if (value?.unicodeScalars.count ?? 0) > max { errors.append(.init(field: field, message: "must have at most \(max) characters")) }
        if !required, value != nil, count == 0 { errors.append(.init(field: field, message: "must not be blank; leave it out instead")) }
    }

    static func problems(_ input: EnrolmentInput, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if !(1...input.stage.maxGrade).contains(input.grade) {
            errors.append(.init(field: "grade", message: "must be 1 to \(input.stage.maxGrade) for stage \(input.stage.rawValue)"))
        }
        Self.text(input.className, "className", max: 30, into: &errors)
        Self.date(input.enrolledOn, "enrolledOn", today: today, into: &errors)
        return errors
    }

    static func problems(_ input: StatusChangeInput, enrolment: Enrolment, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        Self.date(input.effectiveOn, "effectiveOn", today: today, into: &errors)
        if input.effectiveOn < enrolment.enrolledOn { errors.append(.init(field: "effectiveOn", message: "is before the child was enrolled here")) }
        Self.text(input.reason, "reason", max: 1000, required: [.droppedOut, .suspended, .longAbsence].contains(input.toStatus), into: &errors)
        if input.toStatus == .transferredOut {
            if (input.toSchoolId == nil) == (input.toSchoolName == nil) {
                errors.append(
                    .init(
                        field: "toSchoolId",
                        message: "name the receiving school by exactly one of toSchoolId (a school of the county) and toSchoolName"
                    )
                )
            }
            Self.text(input.toSchoolName, "toSchoolName", max: 100, into: &errors)
            if input.toSchoolId == enrolment.schoolId { errors.append(.init(field: "toSchoolId", message: "is the current school")) }
        } else if input.toSchoolId != nil || input.toSchoolName != nil {
            errors.append(.init(field: input.toSchoolId != nil ? "toSchoolId" : "toSchoolName", message: "only a transfer names a receiving school"))
        }
        if input.toStatus == enrolment.status { errors.append(.init(field: "toStatus", message: "is the current status")) }
        return errors
    }

    static func problems(_ input: TalkInput, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        Self.date(input.talkedOn, "talkedOn", today: today, into: &errors)
        if input.topics.isEmpty || Set(input.topics).count != input.topics.count {
            errors.append(.init(field: "topics", message: "name one or more different topics"))
        }
        Self.text(input.concerns, "concerns", max: 2000, into: &errors)
        return errors
    }

    static func problems(_ input: CounsellingInput, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        Self.date(input.heldOn, "heldOn", today: today, into: &errors)
        Self.text(input.issue, "issue", max: 2000, required: true, into: &errors)
        Self.text(input.notes, "notes", max: 4000, into: &errors)
        Self.text(input.plan, "plan", max: 2000, into: &errors)
        return errors
    }

    static func problems(_ input: LearningPlanInput, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if input.subjects.isEmpty || Set(input.subjects).count != input.subjects.count {
            errors.append(.init(field: "subjects", message: "name one or more different subjects"))
        }
        Self.text(input.goals, "goals", max: 2000, required: true, into: &errors)
        Self.text(input.measures, "measures", max: 2000, into: &errors)
        Self.date(input.startOn, "startOn", today: today, into: &errors)
        if input.reviewOn < input.startOn { errors.append(.init(field: "reviewOn", message: "is before startOn")) }
        return errors
    }
}
