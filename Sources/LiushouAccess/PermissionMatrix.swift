/// Renders the role × permission matrix, and the route table, as Markdown (`docs/permissions.md`).
public enum PermissionMatrix {
    /// A route and what it requires, as declared in code.
    public struct Route: Sendable, Hashable {
        public var method: String
        public var path: String
        public var requirement: String

        public init(method: String, path: String, requirement: String) {
            self.method = method
            self.path = path
            self.requirement = requirement
        }
    }

    /// The document; a test compares it with the committed file so the two cannot drift.
    public static func markdown(routes: [Route]) -> String {
        var lines = [
            "# Permission matrix",
            "",
            "Generated from `Sources/LiushouAccess` and the routes' declarations; `Tests/LiushouPlatformTests/PermissionMatrixTests`",
            "fails when this file and the code disagree (regenerate with `LIUSHOU_WRITE_DOCS=1 swift test --filter PermissionMatrixTests`).",
            "",
            "A role is granted on an organisation unit and covers that unit's subtree. Records outside the caller's",
            "subtrees answer 404; a missing permission answers 403; a missing or invalid token 401.",
            "",
            "## Roles × permissions",
            "",
            "| permission | " + Role.allCases.map { "\($0.rawValue)<br>\($0.chineseName)" }.joined(separator: " | ") + " |",
            "|---|" + Role.allCases.map { _ in ":-:" }.joined(separator: "|") + "|",
        ]
        for permission in Permission.allCases.sorted() {
            lines.append(
                "| `\(permission.rawValue)` | " + Role.allCases.map { permission.roles.contains($0) ? "✓" : "" }.joined(separator: " | ") + " |"
            )
        }
        lines += ["", "## Roles each role may grant (inside its own subtree)", ""]
        for role in Role.allCases where !role.grantableRoles.isEmpty {
            lines.append("- `\(role.rawValue)`: " + role.grantableRoles.sorted().map { "`\($0.rawValue)`" }.joined(separator: ", "))
        }
        lines += ["", "## Routes", "", "| method | path | requires |", "|---|---|---|"]
        for route in routes.sorted(by: { ($0.path, $0.method) < ($1.path, $1.method) }) {
            lines.append("| \(route.method) | `\(route.path)` | \(route.requirement) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
