import ArgumentParser
import Foundation
import ParkCore

/// The language parkctl speaks to people: PARKCTL_LANG (`zh` or `en`), else the
/// locale's (LC_ALL, LC_MESSAGES, LANG: `zh_*` is Chinese), else English. JSON stays
/// the English contract whatever it is.
enum OutputLanguage {
    static let current: Language = (try? resolve(ProcessInfo.processInfo.environment)) ?? .en

    static func resolve(_ environment: [String: String]) throws -> Language {
        if let chosen = environment["PARKCTL_LANG"], !chosen.isEmpty {
            let lower = chosen.lowercased()
            if lower.hasPrefix("zh") { return .zh }
            if lower.hasPrefix("en") { return .en }
            throw ValidationError("PARKCTL_LANG '\(chosen)' is not one of: zh, en")
        }
        // The first locale variable that is set decides, as for every program.
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let locale = environment[name], !locale.isEmpty { return locale.lowercased().hasPrefix("zh") ? .zh : .en }
        }
        return .en
    }
}

extension Language: ExpressibleByArgument {}
