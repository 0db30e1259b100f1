import Foundation

// Answers as the tests read them (`TestResponse.decode`): only the fields they check.

struct ItemsBody<Item: Decodable>: Decodable {
    var items: [Item]
}

struct IDBody: Decodable {
    var id: String
}

struct InboxItem: Decodable {
    var id: String
    var event: String
    var title: String
    var body: String
}

struct RuleItem: Decodable {
    var event: String
    var version: Int
}

struct DeliveryItem: Decodable {
    var id: String
    var lastError: String?
}

struct ProblemBody: Decodable {
    struct FieldError: Decodable {
        var field: String
    }

    var errors: [FieldError]?

    var fields: Set<String> { Set((self.errors ?? []).map(\.field)) }
}

/// A WeCom group robot's text message.
struct RobotMessage: Decodable {
    struct Text: Decodable {
        var content: String
        var mentioned_list: [String]?
    }

    var msgtype: String
    var text: Text?
}
