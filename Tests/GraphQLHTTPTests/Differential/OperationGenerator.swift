/// Generates random operations on `DifferentialSchema`: aliases, named fragments spread more than once, inline
/// fragments on interfaces and unions, `@skip`/`@include` with literals and variables, arguments of every input
/// kind as literals and variables, `__typename`, queries and mutations. Most are valid; a few are not (a variable
/// in a position its type does not allow, a wrongly typed variable value), and both executors must agree on them
/// too.
struct OperationGenerator {
    struct Operation {
        let query: String
        let variables: String
    }

    private var random: SplitMix64
    private var aliases = 0
    private var variables: [String: String] = [:]
    private var fragments: [String: String] = [:]
    /// Fragments spread no fragments, so that none spreads itself.
    private var inFragment = false

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func operation() -> Operation {
        aliases = 0
        variables = [:]
        fragments = [:]
        let mutation = chance(8)
        let body = mutation ? mutationSelection() : selection(on: "Query", depth: 0)
        let definitions = variables.sorted { $0.key < $1.key }.map { "$\($0.key): \($0.value)" }
        let name = chance(2) ? " Op\(int(100))" : ""
        let head = (mutation ? "mutation" : (name.isEmpty && definitions.isEmpty && chance(2) ? "" : "query")) + name
            + (definitions.isEmpty ? "" : "(\(definitions.joined(separator: ", ")))")
        let query = head + " " + body + fragments.values.sorted().map { " " + $0 }.joined()
        return Operation(query: query, variables: variableValues())
    }

    // MARK: - Selections

    private mutating func selection(on type: String, depth: Int) -> String {
        var items: [String] = []
        for _ in 0..<(1 + int(depth == 0 ? 4 : 3)) { items.append(item(on: type, depth: depth)) }
        return "{ " + items.joined(separator: " ") + " }"
    }

    private mutating func item(on type: String, depth: Int) -> String {
        switch type {
        case "Query": return queryItem(depth: depth)
        case "Thing": return thingItem(depth: depth)
        case "Other": return pick(["id", "name", "value", "__typename"]) + directive()
        case "Node": return nodeItem(depth: depth)
        default: return resultItem(depth: depth)
        }
    }

    private mutating func queryItem(depth: Int) -> String {
        switch int(9) {
        case 0: return "hello" + directive()
        case 1: return alias() + "thing(seed: \(intArgument())) " + selection(on: "Thing", depth: depth + 1)
        case 2: return alias() + "strictThing(seed: \(chance(3) ? variable("n", "Int!") : String(int(500)))) " + selection(on: "Thing", depth: depth + 1)
        case 3: return alias() + "things(count: \(int(4)))" + directive() + " " + selection(on: "Thing", depth: depth + 1)
        case 4: return alias() + "node(seed: \(intArgument())) " + selection(on: "Node", depth: depth + 1)
        case 5: return alias() + "results(seed: \(intArgument())) " + selection(on: "Result", depth: depth + 1)
        case 6: return alias() + "echo" + echoArguments() + directive()
        case 7: return "__typename"
        default: return "... on Query " + selection(on: "Query", depth: depth + 1)
        }
    }

    private mutating func thingItem(depth: Int) -> String {
        let leaves = ["id", "seed", "name", "count", "score", "flag", "kind", "tags", "strictTags", "notAList", "__typename"]
        let objects = ["child", "strictChild", "strictChildren", "node", "results"]
        if depth >= 4 || chance(2) { return (chance(5) ? alias() : "") + pick(leaves) + directive() }
        switch int(6) {
        case 0: return alias() + "echo" + echoArguments()
        case 1: return alias() + "children" + (chance(2) ? "(first: \(intArgument()))" : "") + " " + selection(on: "Thing", depth: depth + 1)
        case 2: return "... on Thing" + directive() + " " + selection(on: "Thing", depth: depth + 1)
        case 3 where !inFragment: return "..." + fragment(on: chance(2) ? "Thing" : "Node", depth: depth) + directive()
        default:
            let field = pick(objects)
            let type = field == "node" ? "Node" : field == "results" ? "Result" : "Thing"
            return (chance(4) ? alias() : "") + field + directive() + " " + selection(on: type, depth: depth + 1)
        }
    }

    private mutating func nodeItem(depth: Int) -> String {
        switch int(6) {
        case 0: return "id"
        case 1: return "name" + directive()
        case 2: return "__typename"
        case 3: return "... on Other " + selection(on: "Other", depth: depth + 1)
        case 4 where !inFragment: return "..." + fragment(on: "Node", depth: depth)
        default: return "... on Thing" + directive() + " " + selection(on: "Thing", depth: depth + 1)
        }
    }

    private mutating func resultItem(depth: Int) -> String {
        switch int(4) {
        case 0: return "__typename"
        case 1: return "... on Other " + selection(on: "Other", depth: depth + 1)
        case 2: return "... on Node { id }"
        default: return "... on Thing " + selection(on: "Thing", depth: depth + 1)
        }
    }

    private mutating func mutationSelection() -> String {
        var fields: [String] = []
        for _ in 0..<(1 + int(3)) {
            let by = chance(3) ? variable("n", "Int!") : String(int(900))
            fields.append(alias() + pick(["bump", "strictBump"]) + "(by: \(by)) " + selection(on: "Thing", depth: 1))
        }
        return "{ " + fields.joined(separator: " ") + " }"
    }

    /// A named fragment (at most two per type, each spread possibly several times).
    private mutating func fragment(on type: String, depth: Int) -> String {
        let name = "\(type)Fragment\(int(2))"
        if fragments[name] == nil {
            inFragment = true
            fragments[name] = "fragment \(name) on \(type) " + selection(on: type, depth: max(depth, 3))
            inFragment = false
        }
        return name
    }

    // MARK: - Arguments, variables and directives

    private mutating func alias() -> String {
        aliases += 1
        return "a\(aliases): "
    }

    private mutating func directive() -> String {
        switch int(10) {
        case 0: return " @skip(if: \(chance(2)))"
        case 1: return " @include(if: \(chance(2)))"
        case 2: return " @skip(if: \(variable("flag", "Boolean!")))"
        case 3: return " @include(if: \(variable("on", chance(20) ? "Boolean" : "Boolean!")))"
        default: return ""
        }
    }

    private mutating func intArgument() -> String { chance(3) ? variable("seed", "Int") : String(int(1000)) }

    private mutating func echoArguments() -> String {
        var arguments: [String] = []
        if chance(2) { arguments.append("a: " + (chance(3) ? variable("seed", "Int") : String(int(100) - 50))) }
        if chance(2) { arguments.append("b: " + (chance(3) ? variable("text", "String") : pick(["\"plain\"", "\"esc \\\" \\\\ \\n \\u00e9\"", "null"]))) }
        if chance(3) { arguments.append("k: " + (chance(3) ? variable("k", "Kind") : pick(["A", "B", "C"]))) }
        if chance(3) {
            switch int(6) {
            case 0: arguments.append("list: " + variable("list", "[Int]"))
            case 1: arguments.append("list: [\(variable("seed", "Int")), 5]")
            default: arguments.append("list: " + pick(["[1, 2, 3]", "7", "[]", "[null, 4]"]))
            }
        }
        if chance(3) {
            switch int(5) {
            case 0: arguments.append("f: " + variable("f", "Filter"))
            case 1: arguments.append("f: { min: \(variable("seed", "Int")) }")
            default: arguments.append("f: " + pick(["{ min: 3, names: [\"x\", \"y\"], kind: B }", "{ names: \"one\" }", "{}"]))
            }
        }
        if chance(4) { arguments.append("id: " + pick(["\"abc\"", "12"])) }
        if chance(4) { arguments.append("x: " + pick(["1.5", "2", "-0.25e1"])) }
        return arguments.isEmpty ? "" : "(" + arguments.joined(separator: ", ") + ")"
    }

    /// `$name`, declared once per operation with the type of its first use.
    private mutating func variable(_ name: String, _ type: String) -> String {
        if variables[name] == nil { variables[name] = type }
        return "$" + name
    }

    /// JSON for the declared variables: usually valid, sometimes missing, null or of the wrong type.
    private mutating func variableValues() -> String {
        var entries: [String] = []
        for (name, type) in variables.sorted(by: { $0.key < $1.key }) {
            if chance(40) { continue }
            let value: String
            if chance(40) {
                value = pick(["\"wrong\"", "null", "{}", "[1]", "1.5"])
            } else {
                switch type {
                case "Int", "Int!": value = String(int(2000) - 1000)
                case "Boolean", "Boolean!": value = chance(2) ? "true" : "false"
                case "String": value = pick(["\"v\"", "\"uni ✓\"", "null"])
                case "Kind": value = pick(["\"A\"", "\"C\"", "\"Z\""])
                case "[Int]": value = pick(["[1, 2]", "3", "[]", "[null]"])
                default: value = pick(["{\"min\": 2}", "{\"names\": [\"a\"], \"kind\": \"B\"}", "{\"nope\": 1}", "{}"])
                }
            }
            entries.append("\"\(name)\": \(value)")
        }
        return "{" + entries.joined(separator: ", ") + "}"
    }

    // MARK: - Randomness

    private mutating func int(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    private mutating func chance(_ oneIn: Int) -> Bool { int(oneIn) == 0 }
    private mutating func pick(_ options: [String]) -> String { options[int(options.count)] }
}

/// A small seeded generator, so that a failing operation can be generated again from its seed.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
