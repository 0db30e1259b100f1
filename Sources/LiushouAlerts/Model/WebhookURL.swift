import Foundation

/// Group-robot webhook addresses. The key (`key=` of WeCom, `access_token=` of DingTalk) is the
/// credential: addresses are sealed at rest and shown only as a hint.
public enum WebhookURL {
    /// The robots' public hosts and this machine (a local relay to them).
    public static let defaultHosts: Set<String> = ["qyapi.weixin.qq.com", "oapi.dingtalk.com", "127.0.0.1", "localhost", "::1"]

    /// Whether the address's host is one the server may call.
    public static func allowed(_ text: String, hosts: Set<String>) -> Bool {
        guard let host = URLComponents(string: text)?.host?.lowercased() else { return false }
        return hosts.contains(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
    }

    /// `qyapi.weixin.qq.com（…a1b2）` for a usable address, else `nil`. Plain http is allowed only to
    /// this machine (a local relay or a test receiver).
    public static func hint(_ text: String, kind: AlertChannelKind) -> String? {
        guard text.count <= 500, let components = URLComponents(string: text), let host = components.host, !host.isEmpty,
            let scheme = components.scheme?.lowercased()
        else { return nil }
        let local = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
        guard scheme == "https" || (scheme == "http" && local) else { return nil }
        let keyName = kind == .dingtalk ? "access_token" : "key"
        // The key's last four code points: the hint is stored under a `char_length` check.
        guard let key = components.queryItems?.first(where: { $0.name == keyName })?.value, key.unicodeScalars.count >= 4 else { return nil }
        var tail = ""
        tail.unicodeScalars.append(contentsOf: key.unicodeScalars.suffix(4))
        return "\(host)（…\(tail)）"
    }
}
