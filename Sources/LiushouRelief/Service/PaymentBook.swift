import Foundation
import LiushouPlatform
import LiushouPostgres

/// The month's payments under a unit for the town's books, village by village: amounts in yuan with
/// two decimals, each village's subtotal and the total summed in fen, so they add up exactly.
public struct PaymentBook: Sendable {
    /// One payment.
    public struct Line: Sendable, Equatable {
        public var villageID: UUID
        public var villageName: String
        public var villageCode: String?
        public var caseID: UUID
        public var personName: String
        public var typeName: String
        public var paidOn: LocalDate
        public var channel: String
        public var amountFen: Int64
    }

    public var lines: [Line]

    static let header = ["村", "村代码", "案件编号", "姓名", "救助类型", "发放日期", "发放渠道", "金额（元）"]

    /// Payments dated in `[start, end)` under `path`, by village.
    static func load(path: String, from start: LocalDate, until end: LocalDate, in transaction: PostgresTransaction) async throws -> PaymentBook {
        let lines = try await transaction.query(
            """
            select v.id as village_id, v.name as village_name, v.code as village_code, c.id, coalesce(p.name, '') as person_name,
                coalesce(t.name, c.type_key) as type_name, c.paid_on, c.payment_channel, c.paid_amount_fen
            from relief_case c join org_unit u on u.id = c.unit_id join org_unit v on v.id = c.village_id
                left join person p on p.id = c.person_id left join relief_case_type t on t.id = c.type_id
            where u.path <@ \(path)::ltree and c.paid_on >= \(start) and c.paid_on < \(end)
            order by v.code nulls last, v.name, v.id, c.paid_on, c.id
            """
        ).map { row in
            Line(
                villageID: try row.decode("village_id"),
                villageName: try row.decode("village_name"),
                villageCode: try row.decode("village_code"),
                caseID: try row.decode("id"),
                personName: try row.decode("person_name"),
                typeName: try row.decode("type_name"),
                paidOn: try row.decode("paid_on"),
                channel: try row.decode("payment_channel"),
                amountFen: try row.decode("paid_amount_fen")
            )
        }
        return PaymentBook(lines: lines)
    }

    public var totalFen: Int64 {
        self.lines.reduce(0) { $0 + $1.amountFen }
    }

    /// The CSV (UTF-8 with a BOM for Excel): payments, a subtotal after each village, the total last.
    public var csv: String {
        var writer = CSVWriter()
        writer.append(Self.header)
        var index = self.lines.startIndex
        while index < self.lines.endIndex {
            let village = self.lines[index].villageID
            var subtotal: Int64 = 0
            while index < self.lines.endIndex, self.lines[index].villageID == village {
                let line = self.lines[index]
                subtotal += line.amountFen
                writer.append([
                    line.villageName, line.villageCode ?? "", line.caseID.uuidString.lowercased(), line.personName, line.typeName,
                    line.paidOn.description, Self.channelName(line.channel), Money.yuan(fen: line.amountFen),
                ])
                index += 1
            }
            let last = self.lines[index - 1]
            writer.append([last.villageName, last.villageCode ?? "", "", "小计", "", "", "", Money.yuan(fen: subtotal)])
        }
        writer.append(["合计", "", "", "", "", "", "", Money.yuan(fen: self.totalFen)])
        return writer.text
    }

    static func channelName(_ channel: String) -> String {
        switch ReliefTransitionInput.Channel(rawValue: channel) {
        case .bankTransfer?: return "银行转账"
        case .socialSecurityCard?: return "社保卡"
        case .cash?: return "现金"
        case nil: return channel
        }
    }
}
