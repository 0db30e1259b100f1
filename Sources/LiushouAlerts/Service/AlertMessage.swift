import Crypto
import Foundation

/// One delivery claimed from the outbox, its target still sealed.
public struct ClaimedDelivery: Sendable {
    public var id: UUID
    public var channel: AlertChannelKind
    public var attempts: Int
    public var event: String
    public var title: String
    public var body: String
    public var link: String?
    public var facts: [String: String]
    public var smsTemplateID: String?
    public var targetSealed: Data?
    public var secretSealed: Data?
    /// WeCom or DingTalk user ids of the event's recipients, for the robot to mention.
    public var mentions: [String]
    public var eventCreatedAt: Date
}

/// The SMS provider's HTTP gateway: a JSON POST of the phone, the approved template's id and its
/// parameters (the same facts the text was made from), with a bearer token.
public struct SMSGateway: Sendable {
    public var url: URL
    public var token: String?

    public init(url: URL, token: String?) {
        self.url = url
        self.token = token
    }
}

/// What one attempt came to.
public enum SendOutcome: Sendable, Equatable {
    case sent
    /// Worth trying again later (the receiver was down, slow or throttling).
    case retry(String)
    /// Will never work as configured (a removed robot, a refused key).
    case dead(String)
}

/// The requests of each channel, in the documented formats of WeCom's and DingTalk's group robots,
/// and how their answers read. Every request carries `X-Liushou-Delivery` (the delivery id), so a
/// receiver can drop a repeat.
public enum AlertMessage {
    /// The text an outside channel carries. A group chat or a phone's lock screen is read by more
    /// people than the recipients, so an alert about people says only what happened and where (the
    /// town and village, not the grid) and links to the platform, where the rule's full text and the
    /// record wait behind the login; a digest and a test message carry their own text.
    public static func text(_ delivery: ClaimedDelivery, publicURL: String?) -> String {
        var text: String
        switch AlertEventKind(rawValue: delivery.event) {
        case .obligationsOverdueDigest?, .channelTest?:
            text = "【留守关爱】\(delivery.title)\n\(delivery.body)"
        case let kind:
            let name = kind?.chineseName ?? delivery.title
            text = "【留守关爱】\(name)\n\(delivery.facts["area"] ?? "")有一条新的\(name)提醒，请登录平台查看处理。"
        }
        if let publicURL, let link = delivery.link {
            text += "\n查看：\(publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL)\(link)"
        }
        return text
    }

    /// WeCom group robot: `{"msgtype":"text","text":{"content":…,"mentioned_list":[userid…]}}`.
    public static func wecom(_ delivery: ClaimedDelivery, webhook: URL, publicURL: String?) throws -> OutgoingRequest {
        let body: [String: Any] = [
            "msgtype": "text",
            "text": ["content": self.text(delivery, publicURL: publicURL), "mentioned_list": delivery.mentions] as [String: Any],
        ]
        return OutgoingRequest(
            url: webhook,
            body: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]),
            headers: self.headers(delivery)
        )
    }

    /// DingTalk group robot: `{"msgtype":"text","text":{"content":…},"at":{"atUserIds":[…]}}`, signed
    /// when the robot has a secret (加签): `timestamp` (ms) and `sign` = Base64(HMAC-SHA256(secret,
    /// "timestamp\nsecret")) added to the address.
    public static func dingtalk(
        _ delivery: ClaimedDelivery,
        webhook: URL,
        secret: String?,
        publicURL: String?,
        now: Date = Date()
    ) throws -> OutgoingRequest {
        var url = webhook
        if let secret {
            let timestamp = String(Int64(now.timeIntervalSince1970 * 1000))
            var components = URLComponents(url: webhook, resolvingAgainstBaseURL: false)!
            // The address's own query is kept as it was written (re-encoding its decoded names and
            // values could put characters Foundation refuses into the query: a fatal error).
            let signed = "timestamp=\(timestamp)&sign=\(Self.formEncoded(self.dingtalkSign(timestamp: timestamp, secret: secret)))"
            let existing = components.percentEncodedQuery ?? ""
            components.percentEncodedQuery = existing.isEmpty ? signed : existing + "&" + signed
            url = components.url ?? webhook
        }
        let body: [String: Any] = [
            "msgtype": "text",
            "text": ["content": self.text(delivery, publicURL: publicURL)],
            "at": ["atUserIds": delivery.mentions, "isAtAll": false] as [String: Any],
        ]
        return OutgoingRequest(
            url: url,
            body: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]),
            headers: self.headers(delivery)
        )
    }

    /// DingTalk's signature of a timestamp (not yet URL-encoded).
    public static func dingtalkSign(timestamp: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// The gateway's request: `{"deliveryId","phone","templateId","params","text"}`; the approved
    /// template takes `event` (its Chinese name), `area` (town and village) and `count`.
    public static func sms(_ delivery: ClaimedDelivery, phone: String, gateway: SMSGateway, publicURL: String?) throws -> OutgoingRequest {
        let params: [String: String] = [
            "event": AlertEventKind(rawValue: delivery.event)?.chineseName ?? delivery.title, "area": delivery.facts["area"] ?? "",
            "count": delivery.facts["count"] ?? "",
        ]
        var body: [String: Any] = [
            "deliveryId": delivery.id.uuidString.lowercased(), "phone": phone, "params": params,
            "text": self.text(delivery, publicURL: publicURL),
        ]
        if let template = delivery.smsTemplateID { body["templateId"] = template }
        var headers = self.headers(delivery)
        if let token = gateway.token { headers["Authorization"] = "Bearer \(token)" }
        return OutgoingRequest(url: gateway.url, body: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), headers: headers)
    }

    /// Reads a receiver's answer. The robots answer HTTP 200 with `errcode` 0 when they took the
    /// message; a throttled robot (WeCom 45009, DingTalk 130101) is tried again; a robot that no
    /// longer exists or refuses the key or signature is dead at once.
    public static func outcome(channel: AlertChannelKind, status: Int, body: Data) -> SendOutcome {
        switch status {
        case 200..<300:
            guard channel == .wecom || channel == .dingtalk else { return .sent }
            guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let code = json["errcode"] as? Int else {
                return .retry("HTTP \(status) without errcode")
            }
            let message = (json["errmsg"] as? String).map { String($0.prefix(100)) } ?? ""
            switch code {
            case 0: return .sent
            case 93000, 93004, 300001, 310000, 400101, 400102: return .dead("errcode \(code) \(message)")
            default: return .retry("errcode \(code) \(message)")
            }
        case 0, 408, 425, 429, 500..<600:
            return .retry("HTTP \(status)")
        default:
            return .dead("HTTP \(status)")
        }
    }

    private static func headers(_ delivery: ClaimedDelivery) -> [String: String] {
        ["Content-Type": "application/json; charset=utf-8", "X-Liushou-Delivery": delivery.id.uuidString.lowercased()]
    }

    /// Percent-encodes all but RFC 3986's unreserved ASCII (`CharacterSet.alphanumerics` would
    /// let Chinese letters through, which a URL's query may not hold).
    static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? value
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
