import HTTPTypes
import LiushouHTTP

/// What the schools module's unique constraints mean to a client.
enum SchoolConstraints {
    /// A second open roll row for a child.
    static let problems: [String: Problem] = [
        "school_enrolment_open": Problem(
            status: .conflict,
            code: "already_enrolled",
            title: "The child is already on a school's roll",
            detail: "Record a transfer from the current school instead."
        )
    ]
}
