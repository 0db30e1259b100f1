import Foundation
import LiushouAccess

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
    /// Whether the phones print masked (no reveal was asked for).
    public var masked: Bool

    /// Someone of the village's directory: a cadre, grid worker, clinic or assignee (`assignee:<source>`).
    public struct Contact: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var phone: String?

        public init(kind: String, name: String, phone: String?) {
            self.kind = kind
            self.name = name
            self.phone = phone
        }
    }

    /// The card of `file` (masked as the caller sees it) with the village's directory, whose phones
    /// are masked here unless `masked` is false.
    public init(file: PersonFile, villageName: String, directory: [Contact], masked: Bool) {
        self.masked = masked
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
        for helper in directory where helper.kind.hasPrefix("assignee:") {
            lines.append(Line(label: "结对志愿者", value: helper.name, phone: helper.phone.map { masked ? Masking.phone($0) : $0 }))
        }
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
