import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// Every role against every volunteer route, for records of its own town and of the other town.
@Suite("Volunteer access by role and tenant")
struct VolunteerAccessTests {
    @Test("each role × own and other-town records × every volunteer route", arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let county = try await client.login("county.admin")
                // The other town: a screened volunteer paired with its child, registered by the county.
                let theirVolunteer = try await VolunteerWorld.created(
                    try await client.post(
                        "/v1/volunteers",
                        json: VolunteerWorld.volunteer(
                            name: "丙志愿",
                            unit: world.fixture.town2,
                            screening: "passed",
                            sequence: 321
                        ),
                        token: county
                    )
                )
                let theirPairing = try await VolunteerWorld.created(
                    try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(
                            helpers: [theirVolunteer],
                            people: [world.other]
                        ),
                        token: county
                    )
                )
                let ourVillageVolunteer = try await VolunteerWorld.created(
                    try await client.post(
                        "/v1/volunteers",
                        json: VolunteerWorld.volunteer(
                            name: "村志愿",
                            unit: world.fixture.village1a,
                            screening: "passed",
                            sequence: 322
                        ),
                        token: world.cadre
                    )
                )
                let ourPairing = try await VolunteerWorld.created(
                    try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(
                            helpers: [world.passed],
                            people: [world.child]
                        ),
                        token: world.cadre
                    )
                )

                let token = try await client.login(world.fixture.username(for: role))
                let isCounty = role == .countyAdmin
                func expectCodes(
                    _ permission: Permission,
                    own: TestResponse,
                    other: TestResponse,
                    success: Int,
                    otherFailure: Int = 404,
                    _ label: String
                ) {
                    let holds = permission.roles.contains(role)
                    #expect(own.status.code == (holds ? success : 403), "\(role) \(label) own: \(own.text)")
                    #expect(other.status.code == (!holds ? 403 : isCounty ? success : otherFailure), "\(role) \(label) other: \(other.text)")
                }

                expectCodes(
                    .volunteersRead,
                    own: try await client.send(.get, "/v1/volunteers/\(world.passed)", token: token),
                    other: try await client.send(.get, "/v1/volunteers/\(theirVolunteer)", token: token),
                    success: 200,
                    "read volunteer"
                )
                expectCodes(
                    .volunteersRead,
                    own: try await client.send(.get, "/v1/volunteers/\(world.passed)/hours", token: token),
                    other: try await client.send(.get, "/v1/volunteers/\(theirVolunteer)/hours", token: token),
                    success: 200,
                    "hours"
                )
                let list = try await client.send(.get, "/v1/volunteers", token: token)
                #expect(list.status.code == (Permission.volunteersRead.roles.contains(role) ? 200 : 403), "\(role) list volunteers")
                for route in ["volunteer-hours", "pairing-rate"] {
                    expectCodes(
                        .volunteersRead,
                        own: try await client.send(.get, "/v1/\(route)?unitId=\(world.fixture.village1a.idString)", token: token),
                        other: try await client.send(.get, "/v1/\(route)?unitId=\(world.fixture.village2a.idString)", token: token),
                        success: 200,
                        route
                    )
                }
                expectCodes(
                    .volunteersManage,
                    own: try await client.post(
                        "/v1/volunteers",
                        json: VolunteerWorld.volunteer(
                            name: "新",
                            unit: world.fixture.village1a,
                            screening: "pending",
                            sequence: 331
                        ),
                        token: token
                    ),
                    other: try await client.post(
                        "/v1/volunteers",
                        json: VolunteerWorld.volunteer(
                            name: "新",
                            unit: world.fixture.village2a,
                            screening: "pending",
                            sequence: 332
                        ),
                        token: token
                    ),
                    success: 201,
                    otherFailure: 422,
                    "register"
                )
                var change = VolunteerWorld.volunteer(name: "村志愿改", unit: world.fixture.village1a, screening: "passed", sequence: 322)
                change.removeValue(forKey: "id")
                var theirChange = VolunteerWorld.volunteer(name: "丙志愿改", unit: world.fixture.town2, screening: "passed", sequence: 321)
                theirChange.removeValue(forKey: "id")
                expectCodes(
                    .volunteersManage,
                    own: try await client.send(
                        .put,
                        "/v1/volunteers/\(ourVillageVolunteer)",
                        json: change,
                        token: token,
                        headers: [.ifMatch: "\"1\""]
                    ),
                    other: try await client.send(
                        .put,
                        "/v1/volunteers/\(theirVolunteer)",
                        json: theirChange,
                        token: token,
                        headers: [.ifMatch: "\"1\""]
                    ),
                    success: 200,
                    "change volunteer"
                )

                expectCodes(
                    .pairingsManage,
                    own: try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(helpers: [world.passed], people: [world.elder]),
                        token: token
                    ),
                    other: try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(helpers: [theirVolunteer], people: [world.other]),
                        token: token
                    ),
                    success: 201,
                    otherFailure: 422,
                    "pair"
                )
                // Reading a pairing: its people's staff, the child's school, and the helper.
                let seesOurs: Set<Role> = [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .gridWorker, .schoolStaff, .volunteer]
                let readOwn = try await client.send(.get, "/v1/pairings/\(ourPairing)", token: token)
                #expect(readOwn.status.code == (seesOurs.contains(role) ? 200 : 403), "\(role) read pairing")
                let readOther = try await client.send(.get, "/v1/pairings/\(theirPairing)", token: token)
                #expect(
                    readOther.status.code == (!Permission.pairingsRead.roles.contains(role) ? 403 : isCounty ? 200 : 404),
                    "\(role) read other pairing"
                )
                let pairings = try await client.send(.get, "/v1/pairings", token: token)
                #expect(pairings.status.code == (Permission.pairingsRead.roles.contains(role) ? 200 : 403), "\(role) list pairings")
                expectCodes(
                    .pairingsRead,
                    own: try await client.send(.get, "/v1/pairings/\(ourPairing)/progress", token: token),
                    other: try await client.send(.get, "/v1/pairings/\(theirPairing)/progress", token: token),
                    success: 200,
                    "read progress"
                )
                let progress: (String) -> [String: Any] = { person in
                    ["id": UUID().uuidString, "personId": person, "assessedOn": VolunteerWorld.today, "mood": "steady", "living": "steady"]
                }
                expectCodes(
                    .pairingsAssess,
                    own: try await client.post("/v1/pairings/\(ourPairing)/progress", json: progress(world.child), token: token),
                    other: try await client.post("/v1/pairings/\(theirPairing)/progress", json: progress(world.other), token: token),
                    success: 201,
                    "assess"
                )

                expectCodes(
                    .volunteerVisitsRecord,
                    own: try await client.post(
                        "/v1/volunteer-visits",
                        json: VolunteerWorld.visit(pairing: ourPairing, person: world.child),
                        token: token
                    ),
                    other: try await client.post(
                        "/v1/volunteer-visits",
                        json: VolunteerWorld.visit(pairing: theirPairing, person: world.other),
                        token: token
                    ),
                    success: 201,
                    otherFailure: 422,
                    "visit"
                )
                let batch = try await client.post(
                    "/v1/volunteer-visits/batch",
                    json: ["items": [VolunteerWorld.visit(pairing: ourPairing, person: world.child)]],
                    token: token
                )
                #expect(batch.status.code == (role == .volunteer ? 200 : 403), "\(role) visit batch")
                let me = try await client.send(.get, "/v1/me/volunteer", token: token)
                #expect(me.status.code == (role == .volunteer ? 200 : 403), "\(role) own record")

                expectCodes(
                    .pairingsManage,
                    own: try await client.post("/v1/pairings/\(ourPairing)/end", json: ["reason": "结束"], token: token, headers: [.ifMatch: "\"1\""]),
                    other: try await client.post(
                        "/v1/pairings/\(theirPairing)/end",
                        json: ["reason": "结束"],
                        token: token,
                        headers: [.ifMatch: "\"1\""]
                    ),
                    success: 200,
                    "end pairing"
                )
            }
        }
    }
}
