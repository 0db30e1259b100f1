import Foundation
import LiushouPlatform
import LiushouPostgres

/// A person of the demo county, with the file the village cadre registers.
struct DemoPerson: Sendable {
    enum Group: Sendable { case child, difficulty, woman, elder }

    var id: UUID
    var village: Int
    var grid: Int
    var household: UUID
    var group: Group
    var name: String
    var male: Bool
    var born: LocalDate
    var age: Int
    /// Index into the county's schools, for a child who attends one.
    var school: Int?
    var stage: String?
    var risk: String
    var noCapableGuardian: Bool
    /// The file as the registry's API takes it.
    var body: Data
    /// Weeks before the current one when the file was registered (the filing campaign).
    var filedWeek: Int
    /// For a file registered before the guardian's confirmation was signed: the week the cadre
    /// adds the date, and the file with it.
    var confirmedWeek: Int?
    var confirmedBody: Data?
}

/// A household (户) the people are filed under.
struct DemoHousehold: Sendable {
    var id: UUID
    var village: Int
    var grid: Int
    var code: String
    var address: String
}

/// Generates the county's households and people from the generator, relative to `today`.
struct DemoPeopleGenerator {
    var random: SplitMix64
    let today: LocalDate
    let county: DemoCounty
    var households: [DemoHousehold] = []
    var people: [DemoPerson] = []
    private var sequence = 0
    private var usedIDs: Set<String> = []

    init(random: SplitMix64, today: LocalDate, county: DemoCounty) {
        self.random = random
        self.today = today
        self.county = county
    }

    mutating func generate(householdsPerVillage: Int) throws {
        for (villageIndex, village) in self.county.villages.enumerated() {
            for number in 1...householdsPerVillage {
                let grid = (number - 1) * village.grids.count / householdsPerVillage
                let household = DemoHousehold(
                    id: self.random.uuid(),
                    village: villageIndex,
                    grid: grid,
                    code: String(village.unit.code?.suffix(6) ?? "000000") + String(format: "%04d", number),
                    address: "\(village.unit.name)\(village.grids[grid].name.suffix(2))\(number)号"
                )
                self.households.append(household)
                try self.fill(household)
            }
        }
    }

    private mutating func fill(_ household: DemoHousehold) throws {
        let draw = Double.random(in: 0..<1, using: &self.random)
        let work = self.random.pick(DemoNames.workPlaces)
        let surname = String(self.random.pick(DemoNames.surnames))
        if draw < 0.40 {
            let grandfather = try self.elder(household, male: true, surname: surname, living: "with_grandchildren", work: work)
            var guardian = grandfather
            if self.random.chance(0.5) {
                guardian = try self.elder(
                    household,
                    male: false,
                    surname: String(self.random.pick(DemoNames.surnames)),
                    living: "with_grandchildren",
                    work: work
                )
            }
            for _ in 0..<self.random.int(1...3) {
                try self.child(
                    household,
                    surname: surname,
                    parentsAway: "both",
                    guardian: guardian,
                    relationship: guardian.male ? "祖父" : "祖母",
                    work: work
                )
            }
        } else if draw < 0.65 {
            let mother = try self.woman(household, work: work, husband: surname)
            for _ in 0..<self.random.int(1...2) {
                try self.child(household, surname: surname, parentsAway: "one_away", guardian: mother, relationship: "母亲", work: work)
            }
            if self.random.chance(0.3) {
                _ = try self.elder(household, male: false, surname: String(self.random.pick(DemoNames.surnames)), living: "with_others", work: work)
            }
        } else if draw < 0.90 {
            let pair = self.random.chance(0.45)
            _ = try self.elder(household, male: true, surname: surname, living: pair ? "with_spouse" : "alone", work: work)
            if pair {
                _ = try self.elder(household, male: false, surname: String(self.random.pick(DemoNames.surnames)), living: "with_spouse", work: work)
            }
        } else if draw < 0.95 {
            try self.child(household, surname: surname, parentsAway: nil, guardian: nil, relationship: "父亲", work: work)
        } else {
            _ = try self.woman(household, work: work, husband: surname)
        }
    }

    private mutating func born(age: Int) -> LocalDate {
        LocalDate(daysSince1970: self.today.daysSince1970 - age * 365 - age / 4 - self.random.int(20...340))
    }

    private mutating func identity(_ born: LocalDate, male: Bool) -> String {
        while true {
            self.sequence += 1
            let number = DemoNames.idNumber(born: born, male: male, sequence: self.sequence % 449)
            if self.usedIDs.insert(number).inserted { return number }
        }
    }

    private mutating func base(
        _ household: DemoHousehold,
        name: String,
        born: LocalDate,
        male: Bool,
        categories: [String],
        started: LocalDate
    ) -> [String: Any] {
        let village = self.county.villages[household.village]
        var body: [String: Any] = [
            "id": self.random.uuid().uuidString.lowercased(), "name": name, "idNumber": self.identity(born, male: male),
            "ethnicity": self.random.chance(0.98) ? "汉族" : "回族",
            "householdRegistration": "安徽省示范县\(self.county.towns[village.town].name)\(village.unit.name)",
            "currentAddress": household.address, "villageId": village.unit.id.uuidString.lowercased(),
            "gridId": village.grids[household.grid].id.uuidString.lowercased(), "householdId": household.id.uuidString.lowercased(),
            "categories": categories.map { ["category": $0, "startedOn": max(started, born).description] },
            "health": ["status": "healthy"],
            "responsibleCadre": ["name": "\(village.unit.name)村委会", "phone": "0558-\(6_100_000 + household.village * 1_111)"],
        ]
        if born.daysSince1970 < self.today.daysSince1970 - 18 * 365 { body["phone"] = DemoNames.phone(&self.random) }
        return body
    }

    private mutating func store(
        _ body: [String: Any],
        _ household: DemoHousehold,
        group: DemoPerson.Group,
        male: Bool,
        born: LocalDate,
        age: Int,
        school: Int? = nil,
        stage: String? = nil,
        risk: String,
        noGuardian: Bool = false
    ) throws -> DemoPerson {
        var body = body
        body["riskLevel"] = risk
        let draw = Double.random(in: 0..<1, using: &self.random)
        let filedWeek = draw < 0.55 ? 11 : (draw < 0.8 ? 10 : (draw < 0.95 ? 9 : 8))
        var confirmedWeek: Int? = nil
        var confirmedBody: Data? = nil
        if var child = body["child"] as? [String: Any], child["guardianshipConfirmedOn"] != nil, self.random.chance(0.2) {
            let week = self.random.int(1...7)
            child["guardianshipConfirmedOn"] = LocalDate(daysSince1970: self.today.daysSince1970 - 7 * week - 3).description
            var complete = body
            complete["child"] = child
            complete.removeValue(forKey: "id")
            confirmedBody = try JSONSerialization.data(withJSONObject: complete)
            child.removeValue(forKey: "guardianshipConfirmedOn")
            body["child"] = child
            confirmedWeek = week
        }
        let person = DemoPerson(
            id: UUID(uuidString: body["id"] as? String ?? "") ?? UUID(),
            village: household.village,
            grid: household.grid,
            household: household.id,
            group: group,
            name: body["name"] as? String ?? "",
            male: male,
            born: born,
            age: age,
            school: school,
            stage: stage,
            risk: risk,
            noCapableGuardian: noGuardian,
            body: try JSONSerialization.data(withJSONObject: body),
            filedWeek: filedWeek,
            confirmedWeek: confirmedWeek,
            confirmedBody: confirmedBody
        )
        self.people.append(person)
        return person
    }

    private mutating func elder(
        _ household: DemoHousehold,
        male: Bool,
        surname: String,
        living: String,
        work: (province: String, city: String, employer: String)
    ) throws -> DemoPerson {
        let age = self.random.chance(0.25) ? self.random.int(80...93) : self.random.int(60...79)
        let born = self.born(age: age)
        let selfCare = self.random.chance(0.08) ? "none" : (self.random.chance(0.18) ? "partial" : "full")
        var body = self.base(
            household,
            name: surname + self.random.pick(male ? DemoNames.elderMaleGiven : DemoNames.elderFemaleGiven),
            born: born,
            male: male,
            categories: ["left_behind_elder"],
            started: LocalDate(daysSince1970: self.today.daysSince1970 - self.random.int(200...1500))
        )
        body["elder"] = [
            "livingArrangement": living, "selfCare": selfCare,
            "chronicIllness": self.random.pick(["高血压", "糖尿病", "慢性支气管炎", "关节炎", "无", "无", "无"]),
        ]
        if self.random.chance(0.15) { body["assistance"] = [self.random.chance(0.3) ? "extreme_poverty" : "minimum_living"] }
        if selfCare == "none" { body["health"] = ["status": "disabled", "disabilityType": "肢体", "disabilityGrade": 2] }
        body["migrantFamily"] = [
            [
                "name": surname + String(self.random.pick(DemoNames.maleGiven)), "relationship": "child", "phone": DemoNames.phone(&self.random),
                "workProvince": work.province, "workCity": work.city, "employer": work.employer,
            ]
        ]
        let risk = (age >= 80 && living == "alone") || selfCare == "none" ? "high" : (selfCare == "partial" || age >= 80 ? "attention" : "normal")
        return try self.store(body, household, group: .elder, male: male, born: born, age: age, risk: risk)
    }

    private mutating func woman(
        _ household: DemoHousehold,
        work: (province: String, city: String, employer: String),
        husband surname: String
    ) throws -> DemoPerson {
        let age = self.random.int(26...52)
        let born = self.born(age: age)
        var body = self.base(
            household,
            name: DemoNames.name(&self.random, male: false),
            born: born,
            male: false,
            categories: ["left_behind_woman"],
            started: LocalDate(daysSince1970: self.today.daysSince1970 - self.random.int(200...1200))
        )
        var woman: [String: Any] = ["trainingNeeds": self.random.pick(["电商培训", "家政培训", "种养殖技术", "无"])]
        if self.random.chance(0.93) { woman["employment"] = self.random.pick(["务农", "在家照顾老人孩子", "村扶贫车间", "镇上打零工"]) }
        body["woman"] = woman
        body["migrantFamily"] = [
            [
                "name": surname + String(self.random.pick(DemoNames.maleGiven)) + String(self.random.pick(DemoNames.maleGiven)),
                "relationship": "spouse", "phone": DemoNames.phone(&self.random), "workProvince": work.province, "workCity": work.city,
                "employer": work.employer, "awaySince": LocalDate(daysSince1970: self.today.daysSince1970 - self.random.int(200...2000)).description,
            ]
        ]
        return try self.store(
            body,
            household,
            group: .woman,
            male: false,
            born: born,
            age: age,
            risk: self.random.chance(0.1) ? "attention" : "normal"
        )
    }

    private mutating func child(
        _ household: DemoHousehold,
        surname: String,
        parentsAway: String?,
        guardian: DemoPerson?,
        relationship: String,
        work: (province: String, city: String, employer: String)
    ) throws {
        let age = self.random.int(1...15)
        let born = self.born(age: age)
        let male = self.random.chance(0.53)
        let pool = male ? DemoNames.maleGiven : DemoNames.femaleGiven
        let name = surname + String(self.random.pick(pool)) + (self.random.chance(0.7) ? String(self.random.pick(pool)) : "")
        let group: DemoPerson.Group = parentsAway == nil ? .difficulty : .child
        var body = self.base(
            household,
            name: name,
            born: born,
            male: male,
            categories: [group == .child ? "left_behind_child" : "child_in_difficulty"],
            started: LocalDate(daysSince1970: self.today.daysSince1970 - self.random.int(100...900))
        )
        let town = self.county.villages[household.village].town
        var stage = "not_in_kindergarten"
        var school: Int? = nil
        switch age {
        case 3...5:
            if self.random.chance(0.9) {
                stage = "kindergarten"
                school = town == 0 ? 0 : 2
            }
        case 6...11:
            stage = "primary"
            school = town == 0 ? 0 : 2
        case 12...15:
            stage = "junior_secondary"
            school = town == 0 ? 1 : 2
        default: break
        }
        var child: [String: Any] = ["schoolStage": stage, "boarding": age >= 12 && self.random.chance(0.4)]
        if let school { child["schoolId"] = self.county.schools[school].id.uuidString.lowercased() }
        var noGuardian = false
        var risk = "normal"
        if let parentsAway { child["parentsAway"] = parentsAway }
        if let guardian, self.random.chance(0.97) {
            let poor = self.random.chance(0.03)
            child["guardianshipType"] = poor ? "delegate_insufficient" : (self.random.chance(0.4) ? "good" : "ordinary")
            child["guardianshipAssessment"] = poor ? "poor" : (self.random.chance(0.4) ? "good" : "fair")
            child["guardian"] = [
                "name": guardian.name, "relationship": relationship,
                "phone": DemoNames.phone(&self.random), "address": household.address,
            ]
            noGuardian = poor
        } else if guardian == nil {
            child["guardianshipType"] = "parent_incapable"
            child["guardianshipAssessment"] = "fair"
            child["guardian"] = [
                "name": surname + String(self.random.pick(DemoNames.maleGiven)), "relationship": "父亲", "phone": DemoNames.phone(&self.random),
            ]
            body["health"] = self.random.chance(0.5) ? ["status": "disabled", "disabilityType": "智力", "disabilityGrade": 3] : ["status": "healthy"]
            body["assistance"] = ["minimum_living"]
        } else {
            child["guardianshipType"] = "unattended"
            child["guardianshipAssessment"] = "poor"
            noGuardian = true
        }
        if noGuardian { risk = "high" }
        if !noGuardian, self.random.chance(0.95) {
            child["guardianshipConfirmedOn"] = LocalDate(daysSince1970: self.today.daysSince1970 - self.random.int(30...400)).description
        }
        body["child"] = child
        if parentsAway != nil {
            body["migrantFamily"] =
                [
                    [
                        "name": surname + String(self.random.pick(DemoNames.maleGiven)) + String(self.random.pick(DemoNames.maleGiven)),
                        "relationship": "father",
                        "phone": DemoNames.phone(&self.random), "workProvince": work.province, "workCity": work.city, "employer": work.employer,
                    ]
                ]
                + (parentsAway == "both"
                    ? [
                        [
                            "name": DemoNames.name(&self.random, male: false), "relationship": "mother", "phone": DemoNames.phone(&self.random),
                            "workProvince": work.province, "workCity": work.city, "employer": work.employer,
                        ]
                    ] : [])
        }
        _ = try self.store(
            body,
            household,
            group: group,
            male: male,
            born: born,
            age: age,
            school: school,
            stage: stage,
            risk: risk,
            noGuardian: noGuardian
        )
    }
}
