import Foundation
import Hummingbird

/// Field messages for people. Rules phrase their messages in English (stable, and what API clients
/// and tests match); where a person reads them — a ledger import, a clinic's checkup upload — they
/// are answered in Chinese unless the request's first `Accept-Language` is English. Field paths and
/// codes never change. A message no rule knows is left as it is.
public enum FieldMessages {
    /// Whether the request asks for English first (`Accept-Language: en`, `en-US`, …).
    public static func prefersEnglish(_ request: Request) -> Bool {
        guard let header = request.headers[.acceptLanguage] else { return false }
        let first = header.split(separator: ",").first.map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return first == "en" || first.hasPrefix("en-")
    }

    /// Whether the request names Chinese first (`Accept-Language: zh-CN`, as the web clients send): its
    /// field messages are then answered in Chinese on every route, not only where a person always reads them.
    public static func asksForChinese(_ request: Request) -> Bool {
        guard let header = request.headers[.acceptLanguage] else { return false }
        let first = header.split(separator: ",").first.map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return first == "zh" || first.hasPrefix("zh-")
    }

    /// The errors as the request's reader should see them.
    public static func localized(_ errors: [Problem.FieldError], for request: Request) -> [Problem.FieldError] {
        guard !self.prefersEnglish(request) else { return errors }
        return errors.map { .init(field: $0.field, message: self.chinese($0.message)) }
    }

    /// The Chinese for a rule's English message (unchanged when no rule knows it).
    public static func chinese(_ message: String) -> String {
        let range = NSRange(message.startIndex..., in: message)
        for (pattern, template) in self.rules {
            guard let match = pattern.firstMatch(in: message, range: range) else { continue }
            var text = template
            for group in stride(from: match.numberOfRanges - 1, through: 1, by: -1) {
                let value = Range(match.range(at: group), in: message).map { self.term(String(message[$0])) } ?? ""
                text = text.replacingOccurrences(of: "$\(group)", with: value)
            }
            return text
        }
        return message
    }

    /// Codes that appear inside messages, in Chinese.
    private static func term(_ text: String) -> String {
        let terms = [
            "male": "男", "female": "女", "not_in_kindergarten": "未入园", "kindergarten": "幼儿园", "primary": "小学",
            "junior_secondary": "初中", "senior_secondary": "高中", "vocational": "中职", "dropped_out": "辍学", "not_in_school": "不在学",
        ]
        return terms[text] ?? text
    }

    private static let rules: [(NSRegularExpression, String)] = [
        (#"^is required$"#, "必填"),
        (#"^must be 3 to 64 of a-z 0-9"#, "应为 3 至 64 位小写字母、数字或 . _ -，以字母或数字开头"),
        (#"^must not hold a phone or ID number"#, "不能含有手机号或身份证号（连续 7 位以上数字）"),
        (#"^is required when there is no ID number$"#, "没有公民身份号码时必填"),
        (#"^is required to import \(re-imports match on it\)$"#, "导入时必填（再次导入按此匹配）"),
        (#"^is required when the row fills (.+)$"#, "填写了$1，须同时填写此栏"),
        (#"^must be a grade from 1 to 4, such as 二级$"#, "应为一至四级，如“二级”"),
        (#"^must be 是 or 否$"#, "应填“是”或“否”"),
        (#"^is a required column$"#, "缺少此列"),
        (#"^is not a checkup column$"#, "不是体检记录的列"),
        (#"^the header has no column (.+)$"#, "表头缺少“$1”列"),
        (#"^a quoted field starting on line (\d+) is never closed$"#, "第 $1 行开始的引号字段没有结束"),
        (#"^is in the future$"#, "不能是将来的日期或时间"),
        (#"^must not contain the NUL character$"#, "含有空字符（NUL），请删去后重试"),
        (#"^is before startedOn$"#, "不能早于开始日期"),
        (#"^is before the person's birth$"#, "不能早于出生日期"),
        (#"^holds a birth date in the future$"#, "号码中的出生日期晚于今天"),
        (#"^is not a valid ID number$"#, "不是有效的公民身份号码"),
        (#"^must have 18 characters$"#, "应为 18 位"),
        (#"^must be 17 digits followed by a digit or X$"#, "应为 17 位数字加 1 位数字或 X"),
        (#"^holds no real birth date"#, "第 7–14 位不是有效的出生日期"),
        (#"^has a wrong check character"#, "校验位不正确，号码可能输错了"),
        (#"^does not match the ID number, which encodes (.+)$"#, "与公民身份号码不符（号码中为 $1）"),
        (#"^must be a mobile number"#, "应为手机号（11 位，1 开头）或带区号的固定电话（如 0564-4552466）"),
        (#"^must have 1 to (\d+) characters$"#, "应为 1 至 $1 个字"),
        (#"^must have at most (\d+) characters$"#, "最多 $1 个字"),
        (#"^each flag must have at most (\d+) characters$"#, "每个风险标记最多 $1 个字"),
        (#"^a child category needs an age under 18 \(age (\d+)\)$"#, "儿童类别要求未满 18 周岁（现年 $1 岁）"),
        (#"^left_behind_elder needs an age of 60 or more \(age (\d+)\)$"#, "留守老人要求年满 60 周岁（现年 $1 岁）"),
        (#"^left_behind_woman needs sex female$"#, "留守妇女的性别应为女"),
        (#"^name at least one category$"#, "至少填写一个人员类别"),
        (#"^(.+) is already open$"#, "类别“$1”已在进行中"),
        (#"^must be 1 to 4$"#, "应为 1 至 4"),
        (#"^must be disabled when a disability is described$"#, "填写了残疾情况时，健康状况应为残疾"),
        (#"^must be empty for school stage (.+)$"#, "就学阶段为“$1”时应为空"),
        (#"^must be a date (?:such as|like) ([0-9-]+)"#, "应为日期，如 $1（1900–2100 年）"),
        (#"^expected a date as YYYY-MM-DD"#, "应为日期，如 2026-03-01（1900–2100 年）"),
        (#"^(.+) is not a kind of assistance$"#, "“$1”不是救助类型"),
        (#"^(.+) is not one of (.+)$"#, "“$1”不是 $2 之一"),
        (#"^must be the village's 12-digit code$"#, "应为村的 12 位统计用区划代码"),
        (#"^no grid of this name in the village$"#, "该村没有此名称的网格"),
        (#"^no school of this name in the county$"#, "本县没有此名称的学校"),
        (#"^no such active village in your scope$"#, "你的范围内没有此村（或已停用）"),
        (#"^repeats line (\d+)$"#, "与第 $1 行重复"),
        (#"^the file changed after this ledger was exported \(now version (\d+)\)"#, "导出后此档案已被修改（现为第 $1 版），请重新导出后再改此行"),
        (#"^must be the file's version from an export"#, "应为导出时的档案版本（1、2、…）"),
        (#"^repeats the record of row (\d+)$"#, "与第 $1 条记录重复"),
        (#"^you may not file persons here$"#, "你不能在此单位建档"),
        (#"^is not your clinic$"#, "不是你所在的医疗机构"),
        (#"^no such active person in the villages your clinic serves$"#, "本院服务的村中没有此在档人员"),
        (#"^women's screening is for women$"#, "“两癌”筛查只适用于女性"),
        (#"^must be a UUID$"#, "格式不正确（应为 UUID）"),
        (#"^must be a number in (.+)$"#, "应为数值，单位 $1"),
        (#"^must be one of (.+)$"#, "应为以下之一：$1"),
        (#"^must be true or false"#, "应为“是”或“否”"),
        (#"^must be (mmHg|kg|cm|g/L|mmol/L|/min|°C|decimal)$"#, "单位应为 $1"),
        (#"^must be .+, not null$"#, "不能为空"),
        (#"^must be (a string|an integer|a number|true or false)$"#, "类型不正确"),
        (#"^send at most (\d+) checkups per request$"#, "每次最多上传 $1 条体检记录"),
        (#"^cannot be read$"#, "无法读取"),
        (#"^must be within (.+)$"#, "应在 $1 之间"),
        (#"^is measured twice$"#, "重复测量"),
        (#"^is more than 10 years ago$"#, "不能早于 10 年前"),
        (#"^is not a known measurement \((.+)\)$"#, "不是已知的测量项目（$1）"),
        (#"^must be 1 to 64 characters without surrounding spaces$"#, "应为 1 至 64 个字符，首尾不能有空格"),
        (#"^must be a unit's UUID$"#, "应为单位的 UUID"),
        (#"^at most 30 entries of 1 to 100 characters each$"#, "最多 30 项，每项 1 至 100 个字"),
        (#"^must be a mobile number \(11 digits\) or a landline with its area code$"#, "应为 11 位手机号码，或带区号的固定电话"),
        (#"^must be 1 to 64 letters, digits or _-\.@$"#, "应为 1 至 64 位字母、数字或 _ - . @"),
        (#"^must be 1 to 64 letters, digits, _ or -$"#, "应为 1 至 64 位字母、数字、_ 或 -"),
        (#"^must be roles of "#, "含有未知的角色"),
        (#"^routed is only for follow_up\.opened$"#, "“按需分派的角色”只用于新的跟进事项"),
        (#"^must be some of inbox, wecom, dingtalk, sms$"#, "应为站内消息、企业微信、钉钉、短信中的若干项"),
        (#"^must include inbox$"#, "必须包含站内消息"),
        (#"^must be 1 to (\d+) characters$"#, "应为 1 至 $1 个字"),
        (#"^has a \{ without \}$"#, "有“{”没有对应的“}”"),
        (#"^has an unknown placeholder (\{.+\})$"#, "含有未知的占位符 $1"),
        (#"^must not contain an ID or phone number$"#, "不能包含身份证号码或电话号码"),
        (#"^must be 5 to 1440$"#, "应为 5 至 1440"),
        (#"^must be the robot's webhook address"#, "应为机器人的 Webhook 地址（https，含 key 或 access_token）"),
        (#"^must be at most (\d+) characters$"#, "最多 $1 个字"),
        (#"^must be known alert events$"#, "应为已知的提醒事件"),
        (#"^must be wecom, dingtalk or sms$"#, "应为企业微信、钉钉或短信"),
        (#"^no such unit in your scope$"#, "不是您管辖范围内的单位"),
        (#"^a mandatory report's alert cannot be switched off$"#, "强制报告的提醒不能关闭"),
        (#"^a mandatory report's alert is immediate$"#, "强制报告的提醒必须立即发送"),
        (#"^name at least one role$"#, "至少选择一个角色"),
        (#"^must be a webhook host this server may call"#, "不是本服务器允许调用的机器人地址（见 LIUSHOU_ALERT_WEBHOOK_HOSTS）"),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
}

extension Problem {
    /// The problem with its field messages (and a validation failure's detail) in the reader's
    /// language, as `FieldMessages` decides.
    public func localized(for request: Request) -> Problem {
        guard !FieldMessages.prefersEnglish(request), !self.errors.isEmpty else { return self }
        var copy = self
        copy.errors = FieldMessages.localized(self.errors, for: request)
        // A detail already written in Chinese (the ledger's row count) stays: localising twice changes nothing.
        if self.code == "validation_failed", !((self.detail ?? "").unicodeScalars.first.map { (0x4E00...0x9FFF).contains($0.value) } ?? false) {
            copy.title = "部分内容有误"
            // Field paths are the API's names, not a reader's: the fields are marked by `errors`.
            var seen = Set<String>()
            copy.detail = "有内容需要改正：" + copy.errors.map(\.message).filter { seen.insert($0).inserted }.joined(separator: "；")
        }
        return copy
    }
}
