import LiushouHTTP

/// 等保 level 3 password rules: at least 8 characters from at least 3 of 4 classes.
public enum PasswordPolicy {
    /// Problems with a proposed password, reported against `field`; empty when it is acceptable.
    public static func problems(with password: String, field: String = "password") -> [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        if password.count < 8 {
            problems.append(.init(field: field, message: "must have at least 8 characters"))
        }
        if password.utf8.count > 72 {
            problems.append(.init(field: field, message: "must be at most 72 bytes (bcrypt ignores the rest; 24 Chinese characters)"))
        }
        if password.contains(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            problems.append(.init(field: field, message: "must not contain control characters"))
        }
        let classes = [
            password.contains { $0.isASCII && $0.isLowercase },
            password.contains { $0.isASCII && $0.isUppercase },
            password.contains { $0.isASCII && $0.isNumber },
            password.contains { !($0.isASCII && ($0.isLetter || $0.isNumber)) },
        ].filter { $0 }.count
        if classes < 3 {
            problems.append(.init(field: field, message: "must mix at least 3 of: lower-case letters, upper-case letters, digits, symbols"))
        }
        return problems
    }
}
