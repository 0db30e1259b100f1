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
        Set(try self.responseCodes().keys)
    }

    /// The status codes each operation documents (`'400'` → `400`), by `METHOD /path`.
    public static func responseCodes() throws -> [String: Set<Int>] {
        var operations: [String: Set<Int>] = [:]
        var currentPath: String? = nil
        var currentOperation: String? = nil
        var inResponses = false
        for line in try self.text().split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
                currentOperation = nil
                continue
            }
            if !line.hasPrefix(" ") && !line.isEmpty {
                currentPath = nil
                currentOperation = nil
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     ") {
                currentOperation = nil
                if ["get:", "post:", "put:", "patch:", "delete:"].contains(trimmed) {
                    let operation = "\(trimmed.dropLast().uppercased()) \(path)"
                    operations[operation] = []
                    currentOperation = operation
                    inResponses = false
                }
                continue
            }
            guard let operation = currentOperation else { continue }
            if line.hasPrefix("      "), !line.hasPrefix("       ") {
                inResponses = trimmed == "responses:"
            } else if inResponses, line.hasPrefix("        '"), !line.hasPrefix("         "),
                let code = Int(trimmed.dropFirst().prefix(3))
            {
                operations[operation, default: []].insert(code)
            }
        }
        return operations
    }
}
