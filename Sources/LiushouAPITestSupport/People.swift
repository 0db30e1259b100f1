import Foundation
import LiushouPlatform
import LiushouRegistry

/// Builds valid ID numbers and person bodies for the registry tests.
public enum People {
    /// A valid ID number: area 341122, the birth date, a sequence (odd = male).
    public static func idNumber(born: String, sequence: Int, area: String = "341122") -> String {
        let body = area + born.replacingOccurrences(of: "-", with: "") + String(format: "%03d", sequence)
        return body + String(ResidentIDNumber.checkCharacter(for: body)!)
    }

    /// A left-behind child's complete file in `village`, attending `school`.
    public static func child(
        name: String = "王小明",
        born: String = "2015-03-04",
        sequence: Int = 123,
        village: OrgUnit,
        grid: OrgUnit? = nil,
        school: OrgUnit? = nil
    ) -> [String: Any] {
        var child: [String: Any] = [
            "schoolStage": school == nil ? "not_in_school" : "primary", "boarding": false, "parentsAway": "both",
            "guardianshipType": "ordinary", "guardianshipAssessment": "fair", "guardianshipConfirmedOn": "2024-09-01",
            "guardian": ["name": "王大爷", "phone": "13800138000", "relationship": "祖父", "idNumber": Self.idNumber(born: "1950-01-01", sequence: 11)],
        ]
        if let school { child["schoolId"] = school.idString }
        var body: [String: Any] = [
            "name": name, "idNumber": Self.idNumber(born: born, sequence: sequence), "ethnicity": "汉族",
            "householdRegistration": "安徽省示范县", "currentAddress": "甲村 12 号", "villageId": village.idString,
            "categories": [["category": "left_behind_child", "startedOn": "2023-01-01"]], "health": ["status": "healthy"],
            "child": child,
            "migrantFamily": [
                [
                    "name": "王父", "relationship": "father", "phone": "13900139000", "workProvince": "浙江省", "workCity": "宁波市",
                    "employer": "某电子厂", "idNumber": Self.idNumber(born: "1985-05-05", sequence: 31),
                ]
            ],
        ]
        if let grid { body["gridId"] = grid.idString }
        return body
    }

    /// A left-behind elder's file.
    public static func elder(name: String = "李奶奶", sequence: Int = 224, village: OrgUnit) -> [String: Any] {
        [
            "name": name, "idNumber": Self.idNumber(born: "1948-02-02", sequence: sequence), "ethnicity": "汉族",
            "householdRegistration": "安徽省示范县", "currentAddress": "乙村 3 号", "villageId": village.idString,
            "categories": [["category": "left_behind_elder", "startedOn": "2020-01-01"]], "health": ["status": "healthy"],
            "elder": ["livingArrangement": "alone", "selfCare": "full"],
            "migrantFamily": [["name": "李子", "relationship": "child", "phone": "13700137000", "workProvince": "广东省"]],
        ]
    }
}
