import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRelief
import LiushouTestSupport
import Testing

@Suite("Relief indicators and payment books")
struct ReliefReportTests {
    @Test("yuan from fen with integer arithmetic only")
    func money() {
        #expect(Money.yuan(fen: 0) == "0.00")
        #expect(Money.yuan(fen: 1) == "0.01")
        #expect(Money.yuan(fen: 10) == "0.10")
        #expect(Money.yuan(fen: 100) == "1.00")
        #expect(Money.yuan(fen: 123_456_789) == "1234567.89")
        #expect(Money.yuan(fen: -5) == "-0.05")
        #expect(Money.yuan(fen: Int64.max) == "92233720368547758.07")
        #expect(Money.fen(yuan: "1234567.89") == 123_456_789)
        #expect(Money.fen(yuan: "0.1") == 10)
        #expect(Money.fen(yuan: "12") == 1200)
        #expect(Money.fen(yuan: "1.234") == nil)
        #expect(Money.fen(yuan: "abc") == nil)
        for fen: Int64 in [0, 1, 7, 99, 100, 101, 9_999_999_999] {
            #expect(Money.fen(yuan: Money.yuan(fen: fen)) == fen)
        }
    }

    @Test("the month's payments per village in yuan: subtotals and the total add up to the fen")
    func paymentBook() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let amounts: [(String, String, Int64)] = [
                    (world.elder, "village1a", 1), (world.elder, "village1a", 99), (world.child, "village1a", 100_001),
                    (world.woman, "village1b", 123_456_789),
                ]
                for (person, village, amount) in amounts {
                    _ = try await Relief.caseAt(
                        "paid",
                        person: person,
                        type: try await world.newType(),
                        client: client,
                        amount: amount,
                        village: village
                    )
                }
                _ = try await Relief.caseAt("approved", person: world.woman, type: "temporary", client: client, amount: 5_000, village: "village1b")
                let relief = try await client.login("town1.relief")
                let month = String(Relief.today.prefix(7))
                let response = try await client.send(
                    .get,
                    "/v1/relief/payments.csv?unitId=\(world.fixture.town1.idString)&month=\(month)",
                    token: relief
                )
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                let rows = response.text.replacingOccurrences(of: "\u{FEFF}", with: "").split(separator: "\r\n").map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                }
                #expect(rows.first == ["村", "村代码", "案件编号", "姓名", "救助类型", "发放日期", "发放渠道", "金额（元）"])
                let body = rows.dropFirst()
                #expect(body.count == 4 + 2 + 1, "four payments, two subtotals, the total")
                var running: Int64 = 0
                var subtotals: Int64 = 0
                for row in body {
                    let fen = try #require(Money.fen(yuan: row[7]), "\(row)")
                    switch row[3] {
                    case "小计":
                        #expect(fen == running, "subtotal of \(row[0])")
                        subtotals += fen
                        running = 0
                    default:
                        if row[0] == "合计" {
                            #expect(fen == subtotals)
                        } else {
                            running += fen
                            #expect(row[5] == Relief.today && row[6] == "银行转账")
                        }
                    }
                }
                #expect(body.last == ["合计", "", "", "", "", "", "", "1235568.90"])
                #expect(body.contains { $0[7] == "0.01" } && body.contains { $0[7] == "0.99" } && body.contains { $0[7] == "1000.01" })
                let stored = try await database.pool.query("select sum(paid_amount_fen)::bigint as s from relief_case").first!.decode(
                    "s",
                    as: Int64.self
                )
                #expect(stored == 123_556_890)
                let village = try await client.send(
                    .get,
                    "/v1/relief/payments.csv?unitId=\(world.fixture.village1b.idString)&month=\(month)",
                    token: relief
                )
                #expect(village.text.contains("1234567.89") && !village.text.contains("1000.01"))
                let ancient = try await client.send(
                    .get,
                    "/v1/relief/payments.csv?unitId=\(world.fixture.town1.idString)&month=0001-01",
                    token: relief
                )
                #expect(ancient.status == .badRequest, "\(ancient.text)")
                let empty = try await client.send(.get, "/v1/relief/payments.csv?unitId=\(world.fixture.town1.idString)&month=2001-01", token: relief)
                #expect(empty.text.hasSuffix("合计,,,,,,,0.00\r\n"))
                let bad = try await client.send(.get, "/v1/relief/payments.csv?unitId=\(world.fixture.town1.idString)&month=2026-13", token: relief)
                #expect(bad.status == .badRequest)
                #expect(bad.text.contains("month"))
                #expect(
                    try await client.send(
                        .get,
                        "/v1/relief/payments.csv?unitId=\(world.fixture.town1.idString)&month=\(month)",
                        token: try await client.login("town2.relief")
                    ).status == .notFound
                )
                #expect(
                    try await client.send(
                        .get,
                        "/v1/relief/payments.csv?unitId=\(world.fixture.village1a.idString)&month=\(month)",
                        token: try await client.login("village1a.cadre")
                    ).status == .forbidden
                )
                let audits = try await database.pool.query("select count(*)::int as n from audit_log where action = 'relief.payments_export'").first!
                    .decode("n", as: Int.self)
                #expect(audits == 3)
            }
        }
    }

    @Test("indicators by village: open cases by stage and type, decisions within the deadline, median days, amounts this month and year")
    func indicators() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                _ = try await Relief.caseAt("paid", person: world.elder, type: "temporary", client: client, amount: 30_000)
                _ = try await Relief.caseAt("approved", person: world.woman, type: "medical", client: client, amount: 12_345, village: "village1b")
                let late = try await Relief.caseAt("rejected", person: world.child, type: "education", client: client).id
                _ = try await Relief.caseAt("submitted", person: world.child, type: "medical", client: client)
                _ = try await Relief.caseAt("village_reviewed", person: world.elder, type: "medical", client: client)
                // The rejection took four days and came a day after its deadline.
                try await database.pool.query(
                    """
                    update relief_case set decision_clock_from = decided_at - interval '4 days', decision_due_at = decided_at - interval '1 day'
                    where id = \(UUID(uuidString: late)!)
                    """
                )
                let relief = try await client.login("town1.relief")
                let response = try await client.send(.get, "/v1/relief/indicators?unitId=\(world.fixture.town1.idString)", token: relief)
                #expect(response.status == .ok, "\(response.text)")
                let json = try response.decode(Read.Indicators.self)
                let total = json.total
                #expect(total.open == 4)
                #expect(total.decidedThisYear == 3)
                #expect(total.decidedWithinDeadline == 2)
                #expect(total.shareDecidedWithinDeadline == 0.6667)
                #expect(total.medianDaysToDecision == 0.0)
                #expect(total.grantedThisMonthFen == 42_345)
                #expect(total.grantedThisYearFen == 42_345)
                #expect(total.paidThisMonthFen == 30_000)
                #expect(total.paidThisYearFen == 30_000)
                let open = total.openByStageAndType
                #expect(open.contains { $0.state == "village_reviewed" && $0.typeKey == "medical" && $0.count == 1 })
                #expect(open.contains { $0.state == "paid" && $0.typeKey == "temporary" && $0.count == 1 })
                let units = json.units
                #expect(Set(units.compactMap(\.unitName)) == ["甲村", "乙村"])
                let village1b = try #require(units.first { $0.unitName == "乙村" })
                #expect(village1b.grantedThisYearFen == 12_345)
                #expect(village1b.paidThisYearFen == 0)
                #expect(village1b.open == 1)
                let village1a = try #require(units.first { $0.unitName == "甲村" })
                #expect(village1a.medianDaysToDecision == 2.0, "median of 0 and 4 days")
                let sums = units.reduce(0) { $0 + $1.grantedThisYearFen }
                #expect(sums == 42_345)

                let lastYear = try await client.send(
                    .get,
                    "/v1/relief/indicators?unitId=\(world.fixture.town1.idString)&on=2001-06-30",
                    token: relief
                )
                #expect(try lastYear.decode(Read.Indicators.self).total.grantedThisYearFen == 0)
                let bad = try await client.send(.get, "/v1/relief/indicators?unitId=\(world.fixture.town1.idString)&on=30/06/2001", token: relief)
                #expect(bad.status == .badRequest)
                #expect(bad.text.contains("\"on\""))
                let county = try await client.send(
                    .get,
                    "/v1/relief/indicators?unitId=\(world.fixture.county.idString)",
                    token: try await client.login("county.admin")
                )
                #expect(try county.decode(Read.Indicators.self).units.compactMap(\.unitName) == ["一乡"])
                #expect(
                    try await client.send(
                        .get,
                        "/v1/relief/indicators?unitId=\(world.fixture.town1.idString)",
                        token: try await client.login("town2.relief")
                    ).status == .notFound
                )
                #expect(
                    try await client.send(
                        .get,
                        "/v1/relief/indicators?unitId=\(world.fixture.town1.idString)",
                        token: try await client.login("grid1a.worker")
                    ).status == .forbidden
                )
            }
        }
    }
}
