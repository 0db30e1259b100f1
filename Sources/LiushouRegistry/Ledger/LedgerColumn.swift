/// The columns of a person ledger (台账), as village ledgers head them; import and export share them.
public enum LedgerColumn: String, CaseIterable, Sendable {
    case name = "姓名"
    case sex = "性别"
    case ethnicity = "民族"
    case idNumber = "公民身份号码"
    case birthDate = "出生日期"
    case phone = "联系电话"
    case categories = "人员类别"
    case categoriesSince = "纳入日期"
    case householdRegistration = "户籍地"
    case currentAddress = "现住址"
    case villageCode = "村代码"
    case grid = "网格"
    case householdCode = "户编号"
    case health = "健康状况"
    case disabilityType = "残疾类别"
    case disabilityGrade = "残疾等级"
    case illness = "所患疾病"
    case assistance = "享受救助"
    case incomeSource = "收入来源"
    case riskLevel = "风险等级"
    case schoolStage = "就学阶段"
    case school = "就读学校"
    case boarding = "是否寄宿"
    case parentsAway = "父母外出情况"
    case guardianshipType = "监护类型"
    case guardianshipAssessment = "监护评估"
    case guardianName = "委托监护人姓名"
    case guardianPhone = "委托监护人电话"
    case guardianIDNumber = "委托监护人身份证号"
    case guardianRelationship = "与儿童关系"
    case guardianAddress = "委托监护人住址"
    case guardianshipConfirmedOn = "委托监护确认书签订日期"
    case fatherName = "父亲姓名"
    case fatherIDNumber = "父亲身份证号"
    case fatherPhone = "父亲电话"
    case fatherProvince = "父亲务工省份"
    case fatherCity = "父亲务工城市"
    case fatherEmployer = "父亲工作单位"
    case motherName = "母亲姓名"
    case motherIDNumber = "母亲身份证号"
    case motherPhone = "母亲电话"
    case motherProvince = "母亲务工省份"
    case motherCity = "母亲务工城市"
    case motherEmployer = "母亲工作单位"
    case relativeName = "外出亲属姓名"
    case relativeRelationship = "外出亲属关系"
    case relativePhone = "外出亲属电话"
    case relativeProvince = "外出亲属务工省份"
    case relativeCity = "外出亲属务工城市"
    case livingArrangement = "居住情况"
    case selfCare = "自理能力"
    case chronicIllness = "慢性病"
    case employment = "就业情况"
    case trainingNeeds = "培训需求"
    case cadreName = "包保责任人"
    case cadrePhone = "包保责任人电话"
    /// The file's version when it was exported: a re-import refuses a row whose file changed since, so
    /// an edit made in the console between export and import is never silently undone.
    case fileVersion = "档案版本"

    /// The column a file field's validation error belongs to.
    static func forField(_ path: String) -> String {
        let fields: [String: LedgerColumn] = [
            "name": .name, "sex": .sex, "ethnicity": .ethnicity, "idNumber": .idNumber, "birthDate": .birthDate, "phone": .phone,
            "categories": .categories, "householdRegistration": .householdRegistration, "currentAddress": .currentAddress,
            "villageId": .villageCode, "gridId": .grid, "householdId": .householdCode, "health.status": .health,
            "health.disabilityGrade": .disabilityGrade, "child.schoolId": .school, "child.schoolStage": .schoolStage,
            "child.guardian.name": .guardianName, "child.guardian.phone": .guardianPhone, "child.guardian.idNumber": .guardianIDNumber,
            "child.guardian.relationship": .guardianRelationship, "child.guardianshipConfirmedOn": .guardianshipConfirmedOn,
            "responsibleCadre.name": .cadreName, "responsibleCadre.phone": .cadrePhone,
        ]
        if let column = fields[path] { return column.rawValue }
        if path.hasPrefix("categories[") { return LedgerColumn.categories.rawValue }
        return path
    }
}

extension LedgerColumn {
    // Every ledger cell is looked up by its column (about sixty lookups a row). The raw-value defaults
    // hash and compare the Chinese heading as Unicode text, and comparing its bytes still took a fifth
    // of reading a ledger's rows: the case itself decides, as it does for an enum without raw values.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.position == rhs.position
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.position)
    }

    /// The case's place in `allCases`: an enum without payloads is stored as that number, in one
    /// byte for up to 256 cases (`LedgerReadingTests.columnIdentity` holds this to `allCases`).
    var position: UInt8 {
        unsafeBitCast(self, to: UInt8.self)
    }
}
