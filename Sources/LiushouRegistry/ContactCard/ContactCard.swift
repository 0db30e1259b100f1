import Foundation

/// What a contact card (联系卡) prints for one person.
public struct ContactCard: Sendable {
    /// A named line with an optional phone.
    public struct Line: Sendable {
        public var label: String
        public var value: String
        public var phone: String?
    }

    public var personName: String
    public var villageName: String
    public var categories: [String]
    public var lines: [Line]
    /// Emergency and hotline numbers for the person's groups.
    public var hotlines: [(label: String, number: String)]

    /// The card of `file` with the village's directory (cadres, grid workers, clinics, assignees).
    public init(file: PersonFile, villageName: String, directory: [(kind: String, name: String)]) {
        self.personName = file.name
        self.villageName = villageName
        self.categories = file.activeCategories.map(\.chineseName)
        var lines: [Line] = []
        if let guardian = file.child?.guardian {
            lines.append(Line(label: "监护人（\(guardian.relationship)）", value: guardian.name, phone: guardian.phone))
        }
        for member in file.migrantFamily ?? [] {
            let place = [member.workProvince, member.workCity, member.employer].compactMap { $0 }.joined(separator: " ")
            lines.append(
                Line(
                    label: "\(member.relationship.chineseName)（外出）",
                    value: member.name + (place.isEmpty ? "" : " · " + place),
                    phone: member.phone
                )
            )
        }
        if let cadre = file.responsibleCadre {
            lines.append(Line(label: "包保责任人", value: cadre.name, phone: cadre.phone))
        }
        let names = { (kind: String) in directory.filter { $0.kind == kind }.map(\.name) }
        if file.responsibleCadre == nil, !names("village_cadre").isEmpty {
            lines.append(Line(label: "村干部", value: names("village_cadre").joined(separator: "、"), phone: nil))
        }
        if !names("grid_worker").isEmpty { lines.append(Line(label: "网格员", value: names("grid_worker").joined(separator: "、"), phone: nil)) }
        let volunteers = directory.filter { $0.kind.hasPrefix("assignee:") }.map(\.name)
        if !volunteers.isEmpty { lines.append(Line(label: "结对志愿者", value: volunteers.joined(separator: "、"), phone: nil)) }
        if !names("clinic").isEmpty { lines.append(Line(label: "卫生院 / 卫生室", value: names("clinic").joined(separator: "、"), phone: nil)) }
        self.lines = lines
        var hotlines: [(label: String, number: String)] = [("报警", "110"), ("急救", "120"), ("火警", "119")]
        let groups = Set(file.activeCategories)
        if groups.contains(.leftBehindChild) || groups.contains(.childInDifficulty) { hotlines.append(("青少年服务台", "12355")) }
        if groups.contains(.leftBehindWoman) { hotlines.append(("妇女维权", "12338")) }
        if groups.contains(.leftBehindElder) { hotlines.append(("民政服务", "12345")) }
        self.hotlines = hotlines
    }
}
