import Foundation
import LiushouPostgres
import LiushouTestSupport
import Testing

@testable import LiushouRegistry

@Suite("A person file's stored JSON, written field by field")
struct PersonFileJSONTests {
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }

    /// Every field filled, at every level, with text that needs escaping.
    static let full: PersonFile = {
        var file = PersonFile(
            name: "王\"小\\明/",
            sex: .female,
            ethnicity: "汉族\n",
            birthDate: day("2015-03-09"),
            idNumber: "34112220150309002X",
            phone: "13800000000",
            householdRegistration: "安徽省\t示范县",
            currentAddress: "东村 3 号\u{1}🙂",
            villageId: UUID(),
            gridId: UUID(),
            householdId: UUID(),
            categories: [
                CategoryPeriod(category: .leftBehindChild, startedOn: day("2024-01-02"), endedOn: day("2026-06-30")),
                CategoryPeriod(category: .leftBehindElder, startedOn: day("2020-05-06"), endedOn: day("2023-07-08")),
            ]
        )
        file.health = .init(status: .disabled, disabilityType: "肢体", disabilityGrade: 2, illness: "哮喘")
        file.assistance = [.minimumLiving, .extremePoverty]
        file.incomeSource = "务工"
        file.child = .init(
            schoolStage: .primary,
            schoolId: UUID(),
            boarding: false,
            parentsAway: .both,
            guardianshipType: .delegateInsufficient,
            guardianshipAssessment: .poor,
            guardian: .init(personId: UUID(), name: "祖父", phone: "13900000000", idNumber: "341122195001010011", relationship: "祖父", address: "东村"),
            guardianshipConfirmedOn: day("2025-09-01")
        )
        file.elder = .init(livingArrangement: .alone, selfCare: .partial, chronicIllness: "高血压")
        file.woman = .init(employment: "务农", trainingNeeds: "电商")
        file.migrantFamily = [
            .init(
                name: "王父",
                relationship: .father,
                idNumber: "341122198001010013",
                workProvince: "浙江省",
                workCity: "杭州",
                employer: "某厂",
                phone: "13700000000",
                awaySince: day("2019-02-01"),
                lastContactOn: day("2026-11-30")
            )
        ]
        file.riskLevel = .high
        file.riskFlags = ["独居", "\"引号\""]
        file.responsibleCadre = .init(name: "李干部", phone: "13600000000")
        file.notes = "备注 \\ 反斜杠"
        return file
    }()

    @Test("the fixture fills every field, so a field added to the file and not to the writer shows below")
    func fixtureIsFull() {
        let empty = Self.emptyPaths(Self.full, path: "file")
        #expect(empty.isEmpty, "unfilled in the fixture: \(empty)")
    }

    @Test(
        "the text reads back as the same file and as the same JSON value JSONEncoder writes",
        arguments: [
            full,
            PersonFile(name: "李", villageId: UUID(), categories: []),
            PersonFile(name: "", villageId: UUID(), categories: [CategoryPeriod(category: .leftBehindWoman, startedOn: day("2026-01-01"))]),
        ]
    )
    func sameAsEncoder(file: PersonFile) throws {
        let text = Data(file.json.utf8)
        #expect(try JSONDecoder().decode(PersonFile.self, from: text) == file)
        let encoded = try JSONEncoder().encode(file)
        let written = try #require(try JSONSerialization.jsonObject(with: text) as? NSDictionary)
        let expected = try #require(try JSONSerialization.jsonObject(with: encoded) as? NSDictionary)
        #expect(written == expected)
    }

    @Test("files sent as one text array, as the bulk insert sends them, read back as the JSON value JSONEncoder writes")
    func throughTheDatabase() async throws {
        var sparse = PersonFile(name: "李", villageId: UUID(), categories: [])
        sparse.assistance = []
        sparse.migrantFamily = []
        sparse.child = PersonFile.Child()
        let files = [Self.full, sparse]
        try await TestPostgres.withDatabase(migrated: false) { database in
            let rows = try await database.pool.query(
                """
                select x.file::jsonb = (\(files.map(PostgresJSON.init))::jsonb[])[x.n] as same
                from unnest(\(files.map(\.json))::text[]) with ordinality as x (file, n)
                """
            )
            #expect(try rows.map { try $0.decode("same", as: Bool.self) } == [true, true])
        }
    }

    /// Paths of optional values that are nil and collections that are empty, at every level.
    static func emptyPaths(_ value: Any, path: String) -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first else { return [path] }
            return Self.emptyPaths(wrapped.value, path: path)
        case .collection:
            guard !mirror.children.isEmpty else { return [path] }
            return mirror.children.enumerated().flatMap { index, child in Self.emptyPaths(child.value, path: "\(path)[\(index)]") }
        case .struct:
            return mirror.children.flatMap { child in Self.emptyPaths(child.value, path: "\(path).\(child.label ?? "?")") }
        default:
            return []
        }
    }
}
