import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport

/// The platform fixture plus people: a child in grid 甲村一组 (enrolled at 一乡中心小学), an elder and
/// a left-behind woman in 甲村, an elder in 乙村 (not served by the clinic), a child in the other
/// town; 一乡卫生院 serves 甲村 only.
struct HealthWorld {
    var fixture: PlatformFixture
    var child: String
    var elder: String
    var woman: String
    var elderInB: String
    var other: String
    var clinic: String
    var cadre: String

    static let today = ChinaClock.system.today()
    static let elderID = People.idNumber(born: "1948-02-02", sequence: 224)
    static let womanID = People.idNumber(born: "1990-05-05", sequence: 226)
    static let otherID = People.idNumber(born: "2015-03-04", sequence: 105)

    static func make(_ database: TestDatabase, client: some TestClientProtocol) async throws -> HealthWorld {
        let fixture = try await PlatformFixture.seed(database)
        let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
        try await seeder.user(
            "village2a.cadre",
            password: PlatformFixture.password,
            home: fixture.village2a,
            grants: [(.villageCadre, fixture.village2a)]
        )
        try await database.pool.query(
            "insert into clinic_service_area (clinic_id, village_id) values (\(fixture.clinic1.id), \(fixture.village1a.id))"
        )
        let cadre = try await client.login("village1a.cadre")
        let town = try await client.login("town1.admin")
        let child = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(
                    name: "甲一",
                    sequence: 101,
                    village: fixture.village1a,
                    grid: fixture.grid1a,
                    school: fixture.school1
                ),
                token: cadre
            )
        )
        let elder = try await Self.created(try await client.post("/v1/persons", json: People.elder(village: fixture.village1a), token: cadre))
        var womanBody = People.elder(name: "刘大姐", sequence: 226, village: fixture.village1a)
        womanBody["idNumber"] = Self.womanID
        womanBody["categories"] = [["category": "left_behind_woman", "startedOn": "2022-01-01"]]
        womanBody.removeValue(forKey: "elder")
        let woman = try await Self.created(try await client.post("/v1/persons", json: womanBody, token: cadre))
        let elderInB = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.elder(
                    name: "周爷爷",
                    sequence: 225,
                    village: fixture.village1b
                ),
                token: town
            )
        )
        let otherCadre = try await client.login("village2a.cadre")
        let other = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(name: "丙一", sequence: 105, village: fixture.village2a),
                token: otherCadre
            )
        )
        let clinic = try await client.login("clinic1.doctor")
        return HealthWorld(fixture: fixture, child: child, elder: elder, woman: woman, elderInB: elderInB, other: other, clinic: clinic, cadre: cadre)
    }

    /// A checkup body for the elder (by ID number unless `person` is given); `daysAgo` before today.
    static func checkup(
        record: String = UUID().uuidString,
        idNumber: String? = HealthWorld.elderID,
        person: String? = nil,
        kind: String = "elder_annual",
        daysAgo: Int = 3,
        followUp: Bool = false,
        measurements: [[String: Any]] = [
            ["name": "systolic", "value": 135, "unit": "mmHg"],
            ["name": "diastolic", "value": 85, "unit": "mmHg"],
        ]
    ) -> [String: Any] {
        var body: [String: Any] = [
            "recordId": record, "checkedOn": LocalDate(daysSince1970: Self.today.daysSince1970 - daysAgo).description, "kind": kind,
            "measurements": measurements, "diagnoses": ["高血压"], "findings": "血压偏高", "followUpNeeded": followUp, "clinician": "王医生",
        ]
        if let person { body["personId"] = person } else if let idNumber { body["idNumber"] = idNumber }
        return body
    }

    static func created(_ response: TestResponse) async throws -> String {
        guard response.status == .created, let id = try response.json()["id"] as? String else {
            throw FixtureError.loginFailed("create: \(response.text)", Int(response.status.code))
        }
        return id.lowercased()
    }

    static func fields(_ response: TestResponse) throws -> [String] {
        try response.decode(Answer.Problem.self).fields
    }
}
