// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// The settings, read off `ServeOptions`' declarations: each option there is the one place a setting is named (its
/// long flag, which is also its file key and `GRAPHQL_FCGI_*` variable), typed, given its default (from the
/// configuration structs) and bounded (`ServeOptions.minimums`, `ServeOptions.choices`). The file and environment
/// keys, their checks and the command line's checks all come from here.
enum SettingKeys {
    /// Options that choose what is read, and so cannot be read from a file or the environment.
    static let commandLineOnly: Set<String> = ["config", "instance"]

    /// What a setting holds after parsing, for the bound checks.
    enum Value {
        case integer(Int)
        case text(String)
    }

    /// Every key the file and the environment accept, with what its value must be.
    static let kinds: [String: ConfigurationSources.Kind] = {
        var kinds: [String: ConfigurationSources.Kind] = [:]
        for (key, wrapper) in declarations(ServeOptions()) where !commandLineOnly.contains(key) {
            if let choices = ServeOptions.choices[key] {
                kinds[key] = .choice(choices)
                continue
            }
            switch wrapper {
            case is Option<Int>: kinds[key] = .integer(minimum: ServeOptions.minimums[key] ?? 0)
            case is Option<String>, is Option<String?>: kinds[key] = .string
            case is Option<[String]>: kinds[key] = .strings
            case is Flag<Bool>: kinds[key] = .flag
            default: preconditionFailure("ServeOptions.\(key): a setting of a kind the configuration file cannot hold")
            }
        }
        return kinds
    }()

    /// The parsed values of `options`' integer and text settings, by key.
    static func read(_ options: ServeOptions) -> [(key: String, value: Value)] {
        declarations(options).compactMap { key, wrapper in
            switch wrapper {
            case let option as Option<Int>: (key, .integer(option.wrappedValue))
            case let option as Option<String>: (key, .text(option.wrappedValue))
            case let option as Option<ServeOptions.Profile>: (key, .text(option.wrappedValue.rawValue))
            default: nil
            }
        }
    }

    /// The property wrappers of `options` (`_maxBodyBytes`), by the flag ArgumentParser derives from each name
    /// (`max-body-bytes`).
    private static func declarations(_ options: ServeOptions) -> [(key: String, wrapper: Any)] {
        Mirror(reflecting: options).children.compactMap { child in
            guard let label = child.label, label.hasPrefix("_") else { return nil }
            return (flag(String(label.dropFirst())), child.value)
        }
    }

    /// `maxBodyBytes` → `max-body-bytes`, as ArgumentParser names a long flag.
    static func flag(_ property: String) -> String {
        var flag = ""
        for character in property {
            if character.isUppercase {
                flag += "-" + character.lowercased()
            } else {
                flag.append(character)
            }
        }
        return flag
    }
}
