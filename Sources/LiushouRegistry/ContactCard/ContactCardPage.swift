import Crypto
import Foundation

/// Renders a contact card as a printable HTML page sized for an A6 card (105 × 148 mm).
public enum ContactCardPage {
    /// The page's only style sheet, inline so the page prints on its own.
    static let style = """
        @page { size: A6 portrait; margin: 6mm; }
        html, body { margin: 0; padding: 0; }
        body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", sans-serif; font-size: 9pt; color: #000; }
        .card { width: 93mm; min-height: 136mm; box-sizing: border-box; border: 0.4mm solid #000; padding: 3mm; }
        h1 { font-size: 13pt; margin: 0 0 1mm; text-align: center; }
        .who { text-align: center; margin-bottom: 2mm; }
        table { width: 100%; border-collapse: collapse; }
        th, td { border-bottom: 0.2mm solid #999; padding: 1mm 0.5mm; text-align: left; vertical-align: top; }
        th { width: 26mm; font-weight: bold; }
        td.phone { white-space: nowrap; width: 24mm; }
        ul { list-style: none; padding: 0; margin: 2mm 0 0; display: flex; flex-wrap: wrap; gap: 1mm 3mm; }
        .note { margin-top: 2mm; font-size: 7pt; color: #333; }
        """

    /// The page runs no script and loads nothing: only its own style sheet, by its digest (of the
    /// `<style>` element's text, which is exactly `style`), may apply.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'sha256-\(Data(SHA256.hash(data: Data(Self.style.utf8))).base64EncodedString())'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    public static func html(_ card: ContactCard) -> String {
        let rows = card.lines.map { line in
            "<tr><th>\(escape(line.label))</th><td>\(escape(line.value))</td><td class=\"phone\">\(escape(line.phone ?? ""))</td></tr>"
        }.joined(separator: "\n")
        let hotlines = card.hotlines.map { "<li>\(escape($0.label)) <b>\(escape($0.number))</b></li>" }.joined()
        return """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <title>联系卡 · \(escape(card.personName))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <div class="card">
            <h1>便民服务联系卡</h1>
            <div class="who">\(escape(card.personName)) · \(escape(card.villageName)) · \(escape(card.categories.joined(separator: "、")))</div>
            <table>
            \(rows)
            </table>
            <ul class="hotlines">\(hotlines)</ul>
            <p class="note">遇到困难请及时联系以上人员；紧急情况请直接拨打 110 或 120。</p>\(card.masked ? "\n<p class=\"note masked\">本卡号码已掩码。发给家庭的联系卡须印完整号码：请由有权查看完整号码的人员在档案中“查看完整号码”后再打开本卡打印。</p>" : "")
            </div>
            </body>
            </html>
            """
    }

    /// Escapes text for HTML content and attributes.
    /// Scalar by scalar: `<` or `"` followed by a combining mark is one Character, escaped all the same.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
