// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQLHTTP
import Yams

/// The configuration file (YAML) and `GRAPHQL_FCGI_*` environment variables, turned into the flags `ServeOptions`
/// parses: file first, then the environment, then the command line, so each overrides the one before. Keys are
/// the long flag names (`max-tokens: 5000`); unknown keys and values of the wrong kind are reported with their
/// line before anything starts.
enum ConfigurationSources {
    /// Names the folder of the configuration files; not a setting itself.
    static let configDirectoryVariable = "GRAPHQL_FCGI_CONFIG_DIR"

    /// Where the configuration files are: `GRAPHQL_FCGI_CONFIG_DIR` (packaging, tests) or `/etc/graphql-fcgi`.
    static func directory(_ environment: [String: String]) -> String {
        environment[configDirectoryVariable].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/graphql-fcgi"
    }

    /// The configuration file to read: `--config`; else the instance's API's (`blog`, `blog-1`, `blog-2`:
    /// `<dir>/blog.yaml`, which must exist); else `<dir>/graphql-fcgi.yaml` when it exists (numbered instances, and
    /// no instance at all).
    static func file(explicit: String?, instance: String?, environment: [String: String]) -> (path: String?, problems: [String]) {
        if let explicit { return (explicit, []) }
        let directory = directory(environment)
        if let instance {
            guard let api = apiName(ofInstance: instance) else {
                return (nil, ["--instance must be letters, digits, '-', '_' or '.' (at most 64, not starting with '.' or '-')"])
            }
            if !api.isEmpty {
                let path = "\(directory)/\(api).yaml"
                guard FileManager.default.fileExists(atPath: path) else { return (nil, ["instance \(instance): no configuration file \(path)"]) }
                return (path, [])
            }
        }
        let path = "\(directory)/graphql-fcgi.yaml"
        return (FileManager.default.fileExists(atPath: path) ? path : nil, [])
    }

    /// The API an instance belongs to: its name without a trailing `-N`; `""` for a number (the default API); nil
    /// for a name that cannot be a file name.
    static func apiName(ofInstance instance: String) -> String? {
        func isDigit(_ character: Character) -> Bool { ("0"..."9").contains(character) }
        let allowed = instance.allSatisfy { character in
            isDigit(character) || ("a"..."z").contains(character) || ("A"..."Z").contains(character) || "-_.".contains(character)
        }
        guard allowed, !instance.isEmpty, instance.count <= 64, !instance.hasPrefix("."), !instance.hasPrefix("-") else { return nil }
        if instance.allSatisfy(isDigit) { return "" }
        if let dash = instance.lastIndex(of: "-") {
            let number = instance[instance.index(after: dash)...]
            if !number.isEmpty, number.allSatisfy(isDigit) { return String(instance[..<dash]) }
        }
        return instance
    }

    enum Kind: Equatable {
        case string
        case choice([String])
        /// An integer no lower than the bound.
        case integer(minimum: Int)
        /// A boolean; true adds the flag.
        case flag
        /// A list (or one value); each item repeats the flag.
        case strings
    }

    /// Every key the file and the environment accept, with what its value must be (see `SettingKeys`). A test
    /// compares these with `serve --help`, the sample file and the README's table.
    static var keys: [String: Kind] { SettingKeys.kinds }

    struct Loaded {
        var arguments: [String] = []
        var problems: [String] = []
    }

    /// The flags of a YAML document; `origin` names it in problems (`FILE:LINE: …`).
    static func arguments(yaml text: String, origin: String) -> Loaded {
        var loaded = Loaded()
        let document: Yams.Node?
        do {
            document = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            loaded.problems.append("\(origin):\(describe(error))")
            return loaded
        } catch {
            loaded.problems.append("\(origin): \(error)")
            return loaded
        }
        guard let document else { return loaded }  // an empty file
        guard case .mapping(let mapping) = document else {
            loaded.problems.append("\(origin):\(line(document)): the file must be a mapping of keys to values")
            return loaded
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let place = "\(origin):\(line(keyNode))"
            guard let kind = keys[key] else {
                let hint = closest(to: key).map { " (did you mean '\($0)'?)" } ?? ""
                loaded.problems.append("\(place): unknown key '\(key)'\(hint)")
                continue
            }
            switch flags(key: key, kind: kind, value: value) {
            case .success(let flags): loaded.arguments += flags
            case .failure(let problem): loaded.problems.append("\(place): \(problem.message)")
            }
        }
        return loaded
    }

    /// The flags of `GRAPHQL_FCGI_MAX_TOKENS=5000` and the like; other variables are ignored, unknown ones with
    /// the prefix are problems.
    static func arguments(environment: [String: String]) -> Loaded {
        var loaded = Loaded()
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("GRAPHQL_FCGI_") && name != configDirectoryVariable {
            let key = name.dropFirst("GRAPHQL_FCGI_".count).lowercased().replacingOccurrences(of: "_", with: "-")
            guard let kind = keys[key] else {
                loaded.problems.append("environment: unknown variable \(name)")
                continue
            }
            let node: Yams.Node = kind == .strings ? .sequence(.init(value.split(separator: ",").map { Yams.Node(String($0)) })) : Yams.Node(value)
            switch flags(key: key, kind: kind, value: node) {
            case .success(let flags): loaded.arguments += flags
            case .failure(let problem): loaded.problems.append("environment: \(name): \(problem.message)")
            }
        }
        return loaded
    }

    struct Problem: Error {
        let message: String
    }

    private static func flags(key: String, kind: Kind, value: Yams.Node) -> Result<[String], Problem> {
        let flag = "--" + key
        switch kind {
        case .string:
            guard case .scalar(let scalar) = value else { return .failure(Problem(message: "'\(key)' must be a string")) }
            return .success([flag, scalar.string])
        case .choice(let choices):
            guard let text = value.string, choices.contains(text) else {
                return .failure(Problem(message: "'\(key)' must be one of \(choices.joined(separator: ", "))"))
            }
            return .success([flag, text])
        case .integer(let minimum):
            guard let number = value.int else { return .failure(Problem(message: "'\(key)' must be an integer")) }
            guard number >= minimum else { return .failure(Problem(message: "'\(key)' must be at least \(minimum)")) }
            return .success([flag, String(number)])
        case .flag:
            guard let enabled = value.bool else { return .failure(Problem(message: "'\(key)' must be true or false")) }
            return .success(enabled ? [flag] : [])
        case .strings:
            let items: [Yams.Node]
            switch value {
            case .sequence(let sequence): items = Array(sequence)
            case .scalar: items = [value]
            default: return .failure(Problem(message: "'\(key)' must be a list of strings"))
            }
            var flags: [String] = []
            for item in items {
                guard case .scalar(let scalar) = item else { return .failure(Problem(message: "'\(key)' must be a list of strings")) }
                flags += [flag, scalar.string]
            }
            return .success(flags)
        }
    }

    private static func line(_ node: Yams.Node) -> Int { (node.mark?.line ?? 0) }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(mark.line): \(problem)"
        default:
            return " \(error)"
        }
    }

    /// The known key one edit or two away, for a typo.
    private static func closest(to key: String) -> String? {
        keys.keys.map { ($0, distance(key, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
