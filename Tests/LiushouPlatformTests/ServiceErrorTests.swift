import HTTPTypes
import LiushouHTTP
import LiushouPlatform
import Testing

@Suite("Service errors render as the problems they name")
struct ServiceErrorTests {
    @Test("each case answers the status, code, title, detail, field errors and extensions of its problem")
    func mapping() {
        let field = Problem.FieldError(field: "idNumber", message: "is already filed")
        let cases: [(ServiceError, Problem)] = [
            (.invalid([field]), .validation([field])),
            (.invalid("name", "is required"), .validation([.init(field: "name", message: "is required")])),
            (.noSuchPerson, .noSuchPerson),
            (.noSuchUnit, .notFound("No such unit.")),
            (.versionMismatch(record: "file", current: 3), .versionMismatch("file", current: 3)),
            (.idConflict(record: "household"), .idConflict("household")),
            (.malformed("cursor is invalid."), .badRequest("cursor is invalid.")),
            (
                .conflict(
                    code: "duplicate_id_number",
                    title: "An active file already holds this ID number",
                    errors: [field],
                    extensions: ["existingId": "x"]
                ),
                Problem(
                    status: .conflict,
                    code: "duplicate_id_number",
                    title: "An active file already holds this ID number",
                    errors: [field],
                    extensions: ["existingId": "x"]
                )
            ),
            (
                .unprocessable(code: "not_eligible", title: "Not eligible", detail: "why"),
                Problem(status: .unprocessableContent, code: "not_eligible", title: "Not eligible", detail: "why")
            ),
            (.forbidden(code: "forbidden", title: "Not allowed", detail: nil), Problem(status: .forbidden, code: "forbidden", title: "Not allowed")),
        ]
        for (error, expected) in cases {
            #expect(error.problem == expected)
            #expect(error.status == expected.status)
        }
        #expect(Problem.noSuchPerson.detail == "No such person.")
    }
}
