import Foundation
import LiushouHTTP

/// The OpenAPI 3.1 document shipped with the server (`Resources/openapi.yaml`).
public enum OpenAPIDocument {
    /// The document's text.
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw Problem.internalError
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// `METHOD /path` for every operation in the document (paths with `{name}` parameters as written).
    public static func operations() throws -> Set<String> {
        var operations = Set<String>()
        var currentPath: String? = nil
        for line in try self.text().split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
                continue
            }
            if !line.hasPrefix(" ") && !line.isEmpty {
                currentPath = nil
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     "),
                ["get:", "post:", "put:", "patch:", "delete:"].contains(trimmed)
            {
                operations.insert("\(trimmed.dropLast().uppercased()) \(path)")
            }
        }
        return operations
    }
}
