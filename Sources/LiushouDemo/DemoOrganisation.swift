import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// One login of the demo: who, with which role, where.
public struct DemoLogin: Sendable, Equatable {
    public var username: String
    public var role: Role
    /// The unit the grant is on (the first, when several).
    public var unitName: String
}

/// A village of the demo county and its grids.
struct DemoVillage: Sendable {
    var unit: OrgUnit
    var grids: [OrgUnit]
    var town: Int
    var cadre: String
    var gridWorker: String
}

/// The demo county's units and who works where.
struct DemoCounty: Sendable {
    var county: OrgUnit
    var towns: [OrgUnit]
    var villages: [DemoVillage]
    /// 中心小学 and 初级中学 of the first town, 中心学校 of the second.
    var schools: [OrgUnit]
    var clinics: [OrgUnit]
    var teachers: [String]
    var logins: [DemoLogin]

    static let countyCode = "341122000000"
    static let villageNames: [[(name: String, key: String)]] = [
        [("东村", "dongcun"), ("西村", "xicun"), ("南湖村", "nanhu"), ("北岗村", "beigang")],
        [("双河村", "shuanghe"), ("柳湾村", "liuwan"), ("杨庄村", "yangzhuang"), ("桃园村", "taoyuan")],
    ]

    /// Creates the units and accounts through the owner's seeder (the shell-side setup path).
    static func create(seeder: PlatformSeeder, password: String, random: inout SplitMix64) async throws -> DemoCounty {
        let county = try await seeder.unit(.county, name: "示范县", code: Self.countyCode)
        let towns = [
            try await seeder.unit(.town, name: "城关镇", code: "341122100000", parent: county),
            try await seeder.unit(.town, name: "双河乡", code: "341122200000", parent: county),
        ]
        var villages: [DemoVillage] = []
        for (townIndex, names) in Self.villageNames.enumerated() {
            for (index, village) in names.enumerated() {
                let code = String(towns[townIndex].code?.prefix(9) ?? "") + String(format: "%03d", index + 1)
                let unit = try await seeder.unit(.village, name: village.name, code: code, parent: towns[townIndex])
                var grids: [OrgUnit] = []
                let count = townIndex == 0 && index == 0 ? 3 : random.int(2...4)
                for number in 0..<count {
                    grids.append(try await seeder.unit(.grid, name: village.name + ["一组", "二组", "三组", "四组"][number], parent: unit))
                }
                let first = townIndex == 0 && index == 0
                villages.append(
                    DemoVillage(
                        unit: unit,
                        grids: grids,
                        town: townIndex,
                        cadre: first ? "demo.cadre" : "demo.\(village.key).cadre",
                        gridWorker: first ? "demo.grid" : "demo.\(village.key).grid"
                    )
                )
            }
        }
        let schools = [
            try await seeder.unit(.school, name: "城关镇中心小学", parent: towns[0]),
            try await seeder.unit(.school, name: "城关镇初级中学", parent: towns[0]),
            try await seeder.unit(.school, name: "双河乡中心学校", parent: towns[1]),
        ]
        let clinics = [
            try await seeder.unit(.clinic, name: "城关镇卫生院", parent: towns[0]),
            try await seeder.unit(.clinic, name: "双河乡卫生院", parent: towns[1]),
        ]
        let east = villages[0]
        var grants: [(String, [(Role, OrgUnit)])] = [
            ("demo.county", [(.countyAdmin, county)]), ("demo.town", [(.townAdmin, towns[0])]),
            ("demo.supervisor", [(.childWelfareSupervisor, towns[0])]), ("demo.relief", [(.reliefOfficer, towns[0])]),
            ("demo.legal", [(.legalAidOfficer, towns[0])]), ("demo.auditor", [(.auditor, county)]),
            ("demo.shuanghe.town", [(.townAdmin, towns[1])]), ("demo.shuanghe.supervisor", [(.childWelfareSupervisor, towns[1])]),
        ]
        for village in villages {
            grants.append((village.cadre, [(.villageCadre, village.unit)]))
            grants.append((village.gridWorker, village.grids.map { (.gridWorker, $0) }))
        }
        grants.append(("demo.volunteer", [(.volunteer, east.unit)]))
        let teachers = ["demo.teacher", "demo.zhongxue.teacher", "demo.shuanghe.teacher"]
        for (index, school) in schools.enumerated() { grants.append((teachers[index], [(.schoolStaff, school)])) }
        grants.append(("demo.counsellor", [(.schoolStaff, schools[0])]))
        grants.append(("demo.clinic", [(.clinicStaff, clinics[0])]))
        grants.append(("demo.shuanghe.clinic", [(.clinicStaff, clinics[1])]))
        var logins: [DemoLogin] = []
        for (username, roles) in grants {
            guard let home = roles.first?.1 else { continue }
            try await seeder.user(username, password: password, home: home, grants: roles)
            logins.append(DemoLogin(username: username, role: roles[0].0, unitName: Self.label(home, towns: towns, villages: villages)))
        }
        return DemoCounty(county: county, towns: towns, villages: villages, schools: schools, clinics: clinics, teachers: teachers, logins: logins)
    }

    /// "城关镇 东村" for a grid's worker, the unit's own name otherwise.
    private static func label(_ unit: OrgUnit, towns: [OrgUnit], villages: [DemoVillage]) -> String {
        if unit.kind == .grid, let village = villages.first(where: { $0.grids.contains { $0.id == unit.id } }) {
            return towns[village.town].name + " " + village.unit.name
        }
        if unit.kind == .village, let village = villages.first(where: { $0.unit.id == unit.id }) {
            return towns[village.town].name + " " + unit.name
        }
        if unit.kind == .school || unit.kind == .clinic, let town = towns.first(where: { unit.path.hasPrefix($0.path + ".") }) {
            return town.name + " " + unit.name
        }
        return unit.name
    }
}
