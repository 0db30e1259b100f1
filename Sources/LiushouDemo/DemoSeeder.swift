import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// Seeds the demo county once: units and logins through the owner's seeder, then ~2,000 people and
/// weeks of work through the server's own API (`DemoAPI`), each record written by the login whose
/// job it is, under row-level security. Everything follows from `seed` and the day it runs.
public struct DemoSeeder: Sendable {
    /// The 统计用区划代码 of the demo county.
    public static let countyCode = DemoCounty.countyCode

    let owner: PostgresConnectionPool
    let hasher: PasswordHasher
    let api: DemoAPI
    let seed: UInt64
    let householdsPerVillage: Int
    let progress: @Sendable (String) -> Void

    /// A seeder writing units and accounts through `owner` and everything else through `api`.
    public init(
        owner: PostgresConnectionPool,
        hasher: PasswordHasher,
        api: DemoAPI,
        seed: UInt64 = 17,
        householdsPerVillage: Int = 100,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.owner = owner
        self.hasher = hasher
        self.api = api
        self.seed = seed
        self.householdsPerVillage = householdsPerVillage
        self.progress = progress
    }

    /// Seeds the demo unless present; returns the logins created, all with `password`.
    public func seedIfMissing(password: String) async throws -> [DemoLogin] {
        let present = try await self.owner.query("select 1 from org_unit where code = \(Self.countyCode)")
        guard present.isEmpty else { return [] }
        let clock = ContinuousClock.now
        var random = SplitMix64(seed: self.seed)
        let county = try await DemoCounty.create(seeder: PlatformSeeder(owner: self.owner, hasher: self.hasher), password: password, random: &random)
        var tokens: [String: String] = [:]
        for login in county.logins { tokens[login.username] = try await self.api.login(login.username, password: password) }
        self.report(
            "organisation: 2 towns, \(county.villages.count) villages, \(county.villages.map(\.grids.count).reduce(0, +)) grids, 3 schools, 2 clinics, \(county.logins.count) logins",
            since: clock
        )
        let run = DemoRun(api: self.api, owner: self.owner, county: county, tokens: tokens, today: DemoCalendar())
        try await run.serviceAreas()
        var generator = DemoPeopleGenerator(random: SplitMix64(seed: random.next()), today: run.today.today, county: county)
        try generator.generate(householdsPerVillage: self.householdsPerVillage)
        try await run.register(households: generator.households)
        var history = DemoHistory(run: run, people: generator.people, random: SplitMix64(seed: random.next()))
        try await history.filing { line in self.report(line, since: clock) }
        self.report("people: \(generator.people.count) in \(generator.households.count) households", since: clock)
        try await history.enrol()
        self.report("school rolls: \(history.counts["enrolments", default: 0]) children, a transfer and a dropout", since: clock)
        try await history.volunteers()
        self.report("volunteers: \(history.counts["volunteers", default: 0]), pairings \(history.counts["pairings", default: 0])", since: clock)
        try await history.weeks { line in self.report(line, since: clock) }
        try await history.cases()
        self.report("relief cases \(history.counts["relief", default: 0]), legal-aid cases \(history.counts["legal", default: 0])", since: clock)
        try await history.schoolCare()
        self.report(
            "talks \(history.counts["talks", default: 0]), family contacts \(history.counts["contacts", default: 0]), counselling \(history.counts["counselling", default: 0])",
            since: clock
        )
        return county.logins
    }

    private func report(_ line: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        self.progress(String(format: "demo seed %5.1f s  ", seconds) + line)
    }

    /// A random password that satisfies the policy (the demo data itself never uses this generator).
    public static func generatePassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("abcdefghjkmnpqrstuvwxyz")
        let body = (0..<8).map { _ in String(letters[Int.random(in: 0..<letters.count, using: &generator)]) }.joined()
        return "Demo-" + body.prefix(4).uppercased() + body.suffix(4) + String(Int.random(in: 10...99, using: &generator))
    }

    /// The logins as printed and kept in `demo-logins.txt`, grouped by unit.
    public static func loginSheet(_ logins: [DemoLogin], password: String) -> String {
        var text = "Liushou demo logins (password for all: \(password))\n"
        var order: [String] = []
        var byUnit: [String: [DemoLogin]] = [:]
        for login in logins {
            if byUnit[login.unitName] == nil { order.append(login.unitName) }
            byUnit[login.unitName, default: []].append(login)
        }
        for unit in order {
            text += "\(unit)\n"
            for login in byUnit[unit] ?? [] {
                text +=
                    "  \(login.username.padding(toLength: 26, withPad: " ", startingAt: 0)) \(login.role.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0)) \(login.role.chineseName)\n"
            }
        }
        return text
    }
}

/// "Now" for the seed: today in China and the week boundaries the history is laid out on.
struct DemoCalendar: Sendable {
    let now = Date()
    var today: LocalDate { ChinaClock.today(at: self.now) }
    /// Monday 00:00 China time of the current week.
    var weekStart: Date {
        let days = self.today.daysSince1970
        let weekday = (days + 3) % 7  // 1970-01-01 was a Thursday; 0 = Monday
        return Date(timeIntervalSince1970: Double(days - weekday) * 86_400 - 8 * 3_600)
    }

    func date(daysAgo: Int) -> LocalDate { LocalDate(daysSince1970: self.today.daysSince1970 - daysAgo) }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
