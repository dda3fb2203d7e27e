import Foundation
import ParkCore

/// One self-contained page (inline CSS and SVG, nothing fetched from elsewhere),
/// written as well-formed XHTML so that any XML parser can read it back.
struct HTMLPage {
    var title: String
    var body: [String] = []

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Characters XML forbids (control characters) are dropped.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    mutating func heading(_ text: String, level: Int = 2) {
        body.append("<h\(level)>\(Self.escape(text))</h\(level)>")
    }

    mutating func paragraph(_ text: String) {
        body.append("<p>\(Self.escape(text))</p>")
    }

    mutating func table(_ records: [Record], columns: [String]? = nil) {
        guard let first = records.first else { paragraph("(none)"); return }
        let keys = columns ?? first.keys
        var html = "<table><thead><tr>" + keys.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for r in records {
            html += "<tr>" + keys.map { key -> String in
                let value = r[key] ?? .null
                let numeric: Bool = { switch value { case .integer, .decimal: true; default: false } }()
                return "<td\(numeric ? " class=\"num\"" : "")>\(Self.escape(value.plain))</td>"
            }.joined() + "</tr>"
        }
        body.append(html + "</tbody></table>")
    }

    /// Horizontal bars for values from 0 to 1, one per label.
    mutating func barChart(_ bars: [(label: String, value: Double)], caption: String) {
        let rowHeight = 22, labelWidth = 170, barWidth = 420
        let height = bars.count * rowHeight + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 70)\" height=\"\(height)\" role=\"img\">"
        svg += "<title>\(Self.escape(caption))</title>"
        for (i, bar) in bars.enumerated() {
            let y = i * rowHeight + 5
            let w = Int((max(0, min(1, bar.value)) * Double(barWidth)).rounded())
            svg += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"12\">\(Self.escape(bar.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"16\" fill=\"#eee\"/>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(w)\" height=\"16\" fill=\"#2b7bb9\"/>"
            svg += "<text x=\"\(labelWidth + barWidth + 6)\" y=\"\(y + 13)\" font-size=\"12\">\(String(format: "%.1f%%", bar.value * 100))</text>"
        }
        body.append("<figure>" + svg + "</svg><figcaption>\(Self.escape(caption))</figcaption></figure>")
    }

    mutating func raw(_ xhtml: String) { body.append(xhtml) }

    var document: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN">
        <head>
        <meta charset="UTF-8"/>
        <title>\(Self.escape(title))</title>
        <style>
        body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .stack td.unit { width: 9em; vertical-align: top; font-size: 12px; }
        .stack th { background: #f5f5f5; }
        .leased { background: #7cb342; } .expiring { background: #ffb300; } .fitting_out { background: #4fc3f7; }
        .reserved { background: #ba68c8; } .vacant { background: #ffffff; } .off_market { background: #9e9e9e; }
        .legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #ccc; }
        @media print { body { margin: 0; } }
        </style>
        </head>
        <body>
        <h1>\(Self.escape(title))</h1>
        \(body.joined(separator: "\n"))
        <p class="footer">parkctl</p>
        </body>
        </html>

        """
    }

    func write(to path: String) throws {
        do {
            try document.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ParkError.invalid("cannot write the HTML file '\(path)': \(error.localizedDescription)")
        }
    }
}
