/// 12-digit 统计用区划代码: province(2) city(2) county(2) town(3) village(3).
public enum AdministrativeCode {
    /// Problems with `code` for a unit of `kind` under a parent carrying `parentCode`; empty when valid.
    public static func problems(code: String?, kind: OrgUnitKind, parentCode: String?) -> [String] {
        guard let code else {
            return kind.requiresCode ? ["is required for a \(kind.rawValue)"] : []
        }
        guard code.count == 12, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return ["must be exactly 12 digits"]
        }
        let digits = Array(code)
        let town = String(digits[6..<9])
        let village = String(digits[9..<12])
        switch kind {
        case .county:
            return String(digits[6..<12]) == "000000" ? [] : ["a county code ends in 000000"]
        case .town:
            var problems: [String] = []
            if town == "000" { problems.append("the town segment (digits 7–9) cannot be 000") }
            if village != "000" { problems.append("a town code ends in 000") }
            if let parentCode, parentCode.prefix(6) != code.prefix(6) {
                problems.append("must start with the county's \(parentCode.prefix(6))")
            }
            return problems
        case .village:
            var problems: [String] = []
            if village == "000" { problems.append("the village segment (digits 10–12) cannot be 000") }
            if let parentCode, parentCode.prefix(9) != code.prefix(9) {
                problems.append("must start with the town's \(parentCode.prefix(9))")
            }
            return problems
        case .grid, .school, .clinic:
            return ["a \(kind.rawValue) has no administrative code"]
        }
    }
}
