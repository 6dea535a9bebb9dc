// SPDX-License-Identifier: Apache-2.0
// Turns the fuzzer's bytes into a GraphQL request by grammar. The bytes are not text but a stream of choices (which
// rule, which field, how many, which fragment), so libFuzzer's mutations move between document *shapes* instead of
// spending their time on syntax errors. Inputs that start like text are used as the document verbatim, so the
// parser still sees arbitrary input too.
//
// An input is read like this:
//
//     first byte  a tab, newline, carriage return or printable ASCII  -> the whole input is the document text
//                 anything else (in practice 0x80...0xFF)             -> grammar; its bits pick how the request is
//                                                                        sent (`RequestSettings`)
//     the rest    choices for `DocumentGenerator`, then the variables' values, then an optional truncation
//
// Past the end of the input every choice is 0, and each rule lists its simplest ending option first, so any prefix
// of an input still yields a complete document. `document-fuzzer --print FILE` shows what a file generates.
import GraphQL

/// The largest document the generator writes (raw text inputs are cut there too): about 8 KB.
let maxDocumentBytes = 8 << 10

/// One request for the handler, as the fuzzer's input describes it.
struct GeneratedRequest {
    var query: String
    var operationName: String?
    /// The `variables` object as JSON text, or nil to send none.
    var variablesJSON: String?
    /// Index into the fuzzer's handler configurations (see `DocumentFuzzer.handlers`).
    var handler = 0
    var accept: String?
    var method = "POST"
    /// Whether the document is the input's text as is (no grammar).
    var isRaw = false
}

/// The bytes read as a stream of choices.
struct Choices {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: some Collection<UInt8>) { self.bytes = Array(bytes) }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// A number in `0..<count` (at most 255); 0 once the bytes are used up.
    mutating func below(_ count: Int) -> Int { count <= 1 ? 0 : Int(byte()) % count }

    /// True about once in `odds` draws; false once the bytes are used up.
    mutating func oneIn(_ odds: Int) -> Bool { Int(byte()) % odds == odds - 1 }

    mutating func element<T>(of array: [T]) -> T { array[below(array.count)] }
}

/// The schema as the generator sees it: composite types with their fields, read once from the schema the handlers
/// run, so the generator and the server never disagree about it.
struct SchemaModel: Sendable {
    indirect enum InputType: Sendable, CustomStringConvertible {
        case named(String)
        case list(InputType)
        case nonNull(InputType)

        var description: String {
            switch self {
            case .named(let name): name
            case .list(let item): "[\(item)]"
            case .nonNull(let inner): "\(inner)!"
            }
        }

        var isNonNull: Bool { if case .nonNull = self { true } else { false } }
    }

    struct Argument: Sendable {
        let name: String
        let type: InputType
        let hasDefault: Bool
    }

    struct Field: Sendable {
        let name: String
        let arguments: [Argument]
        /// The named type at the bottom of the field's type (lists and non-null taken off).
        let type: String
    }

    struct Composite: Sendable {
        let name: String
        /// Empty for a union.
        let fields: [Field]
        /// The object types a value of this type can have: itself for an object type.
        let possibleTypes: [String]
        /// The interfaces and unions an object type belongs to.
        var abstractParents: [String] = []
        var isAbstract: Bool { possibleTypes != [name] }
    }

    private(set) var composites: [String: Composite] = [:]
    /// The API's composite types (not the introspection ones), for type conditions.
    let conditionTypes: [String]
    /// Every named type, for `__type(name:)`.
    let typeNames: [String]
    let queryType: String
    let mutationType: String?
    /// `__schema` and `__type(name:)`, which no type lists among its fields.
    let introspectionFields: [Field]

    init(_ schema: GraphQLSchema) {
        var composites: [String: Composite] = [:]
        // `Array(_:)` on GraphQLSwift's OrderedDictionaries: iterating them directly would need OrderedCollections
        // imported (MemberImportVisibility), and this target depends on GraphQL and GraphQLHTTP only.
        for (name, type) in Array(schema.typeMap) {
            switch type {
            case let object as GraphQLObjectType:
                composites[name] = Composite(name: name, fields: Self.fields(try? object.fields()), possibleTypes: [name])
            case let interface as GraphQLInterfaceType:
                let possible = schema.getPossibleTypes(abstractType: interface).map(\.name).sorted()
                composites[name] = Composite(name: name, fields: Self.fields(try? interface.fields()), possibleTypes: possible)
            case let union as GraphQLUnionType:
                let possible = schema.getPossibleTypes(abstractType: union).map(\.name).sorted()
                composites[name] = Composite(name: name, fields: [], possibleTypes: possible)
            default:
                break
            }
        }
        for abstract in composites.values.filter(\.isAbstract).sorted(by: { $0.name < $1.name }) {
            for member in abstract.possibleTypes { composites[member]?.abstractParents.append(abstract.name) }
        }
        self.composites = composites
        conditionTypes = composites.keys.filter { !$0.hasPrefix("__") }.sorted()
        typeNames = Array(schema.typeMap).map(\.key).sorted()
        queryType = schema.queryType?.name ?? "Query"
        mutationType = schema.mutationType?.name
        introspectionFields = [
            Field(name: "__schema", arguments: [], type: "__Schema"),
            Field(
                name: "__type",
                arguments: [Argument(name: "name", type: .nonNull(.named("String")), hasDefault: false)],
                type: "__Type"
            ),
        ]
    }

    private static func fields(_ map: GraphQLFieldMap?) -> [Field] {
        guard let map else { return [] }
        return Array(map).map { name, field in
            Field(
                name: name,
                arguments: Array(field.args).map { name, argument in
                    Argument(name: name, type: inputType(argument.type), hasDefault: argument.defaultValue != nil)
                },
                type: getNamedType(type: field.type)?.name ?? "String"
            )
        }
    }

    private static func inputType(_ type: any GraphQLType) -> InputType {
        switch type {
        case let nonNull as GraphQLNonNull: .nonNull(inputType(nonNull.ofType))
        case let list as GraphQLList: .list(inputType(list.ofType))
        default: .named(getNamedType(type: type)?.name ?? "String")
        }
    }

    func isComposite(_ name: String) -> Bool { composites[name] != nil }
}

/// How a grammar request is sent, from the bits of the input's first byte.
struct RequestSettings {
    static let acceptHeaders: [String?] = [nil, "application/graphql-response+json", "application/json", "*/*"]

    var handler: Int
    var accept: String?
    var method: String

    init(_ byte: UInt8, handlers: Int) {
        handler = Int(byte & 3) % handlers
        accept = Self.acceptHeaders[Int(byte >> 2) & 3]
        method = (byte >> 4) & 7 == 7 ? "GET" : "POST"
    }
}

extension GeneratedRequest {
    /// The request `data` describes (see the top of this file). `maxChain` bounds the levels of the doubling and
    /// diamond fragment chains of the document, all together.
    init(_ data: [UInt8], schema: SchemaModel, handlers: Int, maxChain: Int) {
        guard let first = data.first, !Self.startsText(first) else {
            // Text: the document as is (invalid UTF-8 becomes U+FFFD, as a transport decoding the body would).
            query = String(decoding: data.prefix(maxDocumentBytes), as: UTF8.self)
            isRaw = true
            return
        }
        let settings = RequestSettings(first, handlers: handlers)
        var generator = DocumentGenerator(choices: Choices(data.dropFirst()), schema: schema, maxChain: maxChain)
        let document = generator.document()
        query = document.query
        operationName = document.operationName
        variablesJSON = document.variablesJSON
        handler = settings.handler
        accept = settings.accept
        method = settings.method
    }

    private static func startsText(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x0A || byte == 0x0D || (0x20...0x7E).contains(byte)
    }
}

/// Writes one document (operations, fragments, variables) from a stream of choices. Most documents are valid; a
/// small share of choices make them invalid in one specific way (an unknown field, fragment or directive, a missing
/// argument, a wrongly typed value, a fragment cycle, an undefined variable), so validation's error paths run too.
struct DocumentGenerator {
    private var choices: Choices
    private let schema: SchemaModel
    /// Doubling and diamond chain levels the document may still have, all chains together (nested chains multiply).
    private var chainLevelsLeft: Int
    /// Characters still to write, about: once spent, selection sets close with one leaf and nothing new starts.
    private var budget = maxDocumentBytes - 1_024

    /// What a definition (operation or fragment) uses: the variables it reads and the fragments it spreads.
    private struct Scope {
        var variables: Set<String> = []
        var spreads: Set<String> = []
    }

    private struct Variable {
        let name: String
        let type: SchemaModel.InputType
        let defaultValue: String?
    }

    private struct Fragment {
        let name: String
        let typeCondition: String
        let text: String
    }

    private var fragments: [Fragment] = []
    private var fragmentScopes: [String: Scope] = [:]
    /// The scopes of the definitions being written, innermost last.
    private var scopes: [Scope] = []
    /// Fragments whose bodies are being written: spreading one of them makes a cycle.
    private var unfinished: [String] = []
    private var variables: [Variable] = []
    private var fragmentCount = 0
    private var chainCount = 0

    init(choices: Choices, schema: SchemaModel, maxChain: Int) {
        self.choices = choices
        self.schema = schema
        chainLevelsLeft = maxChain
    }

    // MARK: - Document

    mutating func document() -> (query: String, operationName: String?, variablesJSON: String?) {
        let count = choices.oneIn(4) ? 2 + choices.below(2) : 1
        var operations: [(text: String, name: String?)] = []
        for index in 0..<count { operations.append(operation(index: index, of: count)) }
        if choices.oneIn(16), let type = schema.composites[choices.element(of: schema.conditionTypes)] {
            _ = newFragment(on: type.name, depth: 2)  // spread nowhere: NoUnusedFragments
        }
        let fragmentTexts = fragments.map(\.text)
        let operationTexts = operations.map(\.text)
        var query = (choices.oneIn(4) ? fragmentTexts + operationTexts : operationTexts + fragmentTexts).joined(separator: "\n")

        var operationName: String?
        if count > 1 {
            operationName = choices.oneIn(8) ? nil : operations[choices.below(count)].name
        } else if choices.oneIn(8) {
            operationName = operations[0].name ?? "Q0"
        }
        if choices.oneIn(16) { operationName = "Nope" }
        let variablesJSON = variableValues()

        // Now and then cut the document short: syntax errors at every place of a valid shape.
        if choices.oneIn(32), !query.isEmpty {
            let cut = (Int(choices.byte()) << 8 | Int(choices.byte())) % query.utf8.count
            query = String(decoding: query.utf8.prefix(cut), as: UTF8.self)
        }
        return (query, operationName, variablesJSON)
    }

    private mutating func operation(index: Int, of count: Int) -> (text: String, name: String?) {
        var keyword = "query"
        var root = schema.queryType
        switch choices.below(16) {
        case 12, 13, 14:
            if let mutation = schema.mutationType {
                keyword = "mutation"
                root = mutation
            }
        case 15:
            keyword = "subscription"  // the schema has none: a validation error
        default:
            break
        }
        let named = count > 1 || choices.oneIn(2)
        let name: String? = named ? (choices.oneIn(16) ? "Q0" : "Q\(index)") : nil
        scopes.append(Scope())
        let body = selectionSet(on: root, depth: 0)
        let scope = scopes.removeLast()

        // Sorted, never in a `Set`'s order: that changes from one process to the next, and an input must always
        // generate the same document.
        var used = variablesReached(from: scope).sorted()
        if choices.oneIn(16), !used.isEmpty { used.remove(at: choices.below(used.count)) }  // undefined
        if choices.oneIn(16), !variables.isEmpty { used.append(choices.element(of: variables).name) }  // unused
        let definitions = variables.filter { used.contains($0.name) }.map { variable in
            "$\(variable.name): \(variable.type)" + (variable.defaultValue.map { " = \($0)" } ?? "")
        }
        let directives = choices.oneIn(16) ? " @include(if: true)" : ""  // at a location @include does not allow
        if keyword == "query", name == nil, definitions.isEmpty, directives.isEmpty, choices.below(2) == 0 {
            return (body, nil)  // the shorthand `{ ... }`
        }
        let variableList = definitions.isEmpty ? "" : "(" + definitions.joined(separator: ", ") + ")"
        let head = keyword + (name.map { " \($0)" } ?? "") + variableList
        return (head + directives + " " + body, name)
    }

    /// The variables a definition reads, through the fragments it spreads.
    private func variablesReached(from scope: Scope) -> Set<String> {
        var variables = scope.variables
        var visited: Set<String> = []
        var pending = Array(scope.spreads)
        while let name = pending.popLast() {
            guard visited.insert(name).inserted, let inner = fragmentScopes[name] else { continue }
            variables.formUnion(inner.variables)
            pending += inner.spreads
        }
        return variables
    }

    // MARK: - Selections

    private mutating func selectionSet(on typeName: String, depth: Int) -> String {
        let limit = depth == 0 ? 10 : 6
        var items = [selection(on: typeName, depth: depth)]
        while items.count < limit, budget > 0, choices.below(3) != 0 {
            items.append(selection(on: typeName, depth: depth))
        }
        budget -= 4
        return "{ " + items.joined(separator: " ") + " }"
    }

    private mutating func selection(on typeName: String, depth: Int) -> String {
        guard let type = schema.composites[typeName] else { return spend("__typename") }
        // Past 8 levels only rarely deeper, so that a document can break the depth limit (15) but seldom does.
        guard budget > 0, depth < 20, depth < 8 || choices.oneIn(8) else { return leaf(of: type) }
        switch choices.below(24) {
        case 0...10:
            guard !type.fields.isEmpty else { return typename() }
            return field(choices.element(of: type.fields), depth: depth)
        case 11, 12:
            return typename()
        case 13, 14, 15:
            return inlineFragment(on: type, depth: depth)
        case 16, 17, 18:
            return spread(on: type, depth: depth)
        case 19 where choices.oneIn(4):
            return chain(on: type, depth: depth)
        case 20 where typeName == schema.queryType || choices.oneIn(8):
            // `__schema` and `__type` are fields of the query type only; elsewhere, unknown fields.
            return field(choices.element(of: schema.introspectionFields), depth: depth)
        case 21:
            // Names that are fields of some types, maybe not of this one.
            return spend(choices.element(of: ["nope", "hello", "id", "__typename(x: 1)", "node"]))
        case 22:
            // Many aliases of one leaf, for the alias and root-field limits.
            let leaf = leaf(of: type)
            return spend((0..<(8 + choices.below(32))).map { "x\($0): \(leaf)" }.joined(separator: " "))
        default:
            return leaf(of: type)
        }
    }

    /// A field that needs nothing below it (or `__typename`).
    private mutating func leaf(of type: SchemaModel.Composite) -> String {
        let leaves = type.fields.filter { field in
            !schema.isComposite(field.type) && !field.arguments.contains { $0.type.isNonNull && !$0.hasDefault }
        }
        return spend(leaves.first?.name ?? "__typename")
    }

    private mutating func typename() -> String {
        spend(alias() + "__typename" + directives())
    }

    private mutating func field(_ field: SchemaModel.Field, depth: Int) -> String {
        let head = spend(alias() + field.name + arguments(of: field) + directives())
        if schema.isComposite(field.type) {
            return choices.oneIn(32) ? head : head + " " + selectionSet(on: field.type, depth: depth + 1)  // or no selection
        }
        return choices.oneIn(64) ? head + spend(" { __typename }") : head  // a selection on a leaf
    }

    private mutating func alias() -> String {
        choices.oneIn(4) ? "a\(choices.below(8)): " : ""
    }

    private mutating func arguments(of field: SchemaModel.Field) -> String {
        var arguments: [String] = []
        for argument in field.arguments {
            let required = argument.type.isNonNull && !argument.hasDefault
            guard required ? !choices.oneIn(16) : choices.oneIn(2) else { continue }
            arguments.append("\(argument.name): \(value(of: argument.type))")
        }
        if choices.oneIn(32) { arguments.append("bogus: 1") }
        if choices.oneIn(64), let first = arguments.first { arguments.append(first) }  // the same argument twice
        return arguments.isEmpty ? "" : "(" + arguments.joined(separator: ", ") + ")"
    }

    // MARK: - Fragments

    /// A type condition for a fragment used where a `type` is expected: the type itself, one of its possible types,
    /// one of its interfaces or unions; rarely any type, or an unknown one.
    private mutating func typeCondition(for type: SchemaModel.Composite) -> String {
        switch choices.below(16) {
        case 0...5: return type.name
        case 6...9 where type.isAbstract: return choices.element(of: type.possibleTypes)
        case 6...9 where !type.abstractParents.isEmpty: return choices.element(of: type.abstractParents)
        case 14: return choices.element(of: schema.conditionTypes)
        case 15: return choices.oneIn(2) ? "Nope" : "String"
        default: return type.name
        }
    }

    private mutating func inlineFragment(on type: SchemaModel.Composite, depth: Int) -> String {
        let condition = choices.oneIn(4) ? nil : typeCondition(for: type)
        let head = spend("..." + (condition.map { " on \($0)" } ?? "") + directives())
        let inner = condition.flatMap { schema.composites[$0] } ?? type
        return head + " " + selectionSet(on: inner.name, depth: depth)
    }

    private mutating func spread(on type: SchemaModel.Composite, depth: Int) -> String {
        var name: String
        switch choices.below(16) {
        case 0...7:
            let fitting = fragments.filter { $0.typeCondition == type.name || type.abstractParents.contains($0.typeCondition) }
            name = fitting.isEmpty ? newFragment(on: typeCondition(for: type), depth: depth) : choices.element(of: fitting).name
        case 8...12:
            name = newFragment(on: typeCondition(for: type), depth: depth)
        case 13:
            name = fragments.isEmpty ? "Missing" : choices.element(of: fragments).name  // maybe of another type
        case 14:
            name = unfinished.isEmpty ? "Missing" : choices.element(of: unfinished)  // a cycle
        default:
            name = "Missing"
        }
        scopes[scopes.count - 1].spreads.insert(name)
        return spend("..." + name + directives())
    }

    /// Defines a fragment on `typeName` with a generated body; returns its name.
    private mutating func newFragment(on typeName: String, depth: Int) -> String {
        let name = "F\(fragmentCount)"
        fragmentCount += 1
        define(name, on: typeName) { generator in generator.selectionSet(on: typeName, depth: depth) }
        return name
    }

    /// Appends the definition of fragment `name`, whose body `body` writes; records what the body uses.
    private mutating func define(_ name: String, on typeName: String, body: (inout DocumentGenerator) -> String) {
        unfinished.append(name)
        scopes.append(Scope())
        let head = spend("fragment \(name) on \(typeName)" + directives())
        let text = head + " " + body(&self)
        fragmentScopes[name] = scopes.removeLast()
        unfinished.removeLast()
        fragments.append(Fragment(name: name, typeCondition: typeName, text: text))
    }

    /// A chain of fragments, each spreading the level below twice: doubling (`Dk { ...Dk-1 ...Dk-1 }`) or a diamond
    /// (`Ak { ...Ak-1 ...Bk-1 } Bk { ...Ak-1 ...Bk-1 }`, the top level `A` only). Spread once, the top level stands
    /// for 2^levels copies of the bottom one: whatever walks fragments without remembering them takes exponential
    /// time. Returns the spread of the top level.
    private mutating func chain(on type: SchemaModel.Composite, depth: Int) -> String {
        let chain = chainCount
        chainCount += 1
        let diamond = choices.oneIn(2)
        let requested = 1 + choices.below(64)
        let twist = choices.below(8)  // 6: the bottom spreads level 1 (a cycle); 7: the top spreads an unknown fragment
        let names = diamond ? ["A\(chain)_", "B\(chain)_"] : ["D\(chain)_"]
        for prefix in names {
            define(prefix + "0", on: type.name) { generator in
                let body = generator.selectionSet(on: type.name, depth: depth)
                guard twist == 6 else { return body }
                generator.scopes[generator.scopes.count - 1].spreads.insert(prefix + "1")
                return String(body.dropLast(1)) + generator.spend("..." + prefix + "1 }")
            }
        }
        // Within what is left of the budget (a level costs about 60 characters per name) and of `maxChain`; the
        // same bytes ask for the same length whatever those are, so that a corpus entry keeps its shape.
        let levels = min(requested, max(1, chainLevelsLeft), max(1, budget / (60 * names.count)))
        chainLevelsLeft -= levels
        for level in 1...levels {
            // The top of a diamond is `A` alone: a `B` there would be spread nowhere, which validation refuses.
            for prefix in level == levels ? [names[0]] : names {
                define(prefix + String(level), on: type.name) { generator in
                    let below = names.map { $0 + String(level - 1) }
                    var spreads = diamond ? below : [below[0], below[0]]
                    if twist == 7, level == levels { spreads.append("Missing") }
                    generator.scopes[generator.scopes.count - 1].spreads.formUnion(spreads)
                    return generator.spend("{ " + spreads.map { "..." + $0 }.joined(separator: " ") + " }")
                }
            }
        }
        let top = names[0] + String(levels)
        scopes[scopes.count - 1].spreads.insert(top)
        return spend("..." + top + directives())
    }

    // MARK: - Directives

    private mutating func directives() -> String {
        var text = ""
        var count = 0
        while count < 3, choices.oneIn(6) {
            text += " " + directive()
            count += 1
        }
        return text
    }

    private mutating func directive() -> String {
        switch choices.below(32) {
        case 0...5: return "@skip(if: \(choices.element(of: ["false", "true"])))"
        case 6...11: return "@include(if: \(choices.element(of: ["true", "false"])))"
        case 12...15: return "@skip(if: \(variable(of: .nonNull(.named("Boolean")))))"
        case 16...19: return "@include(if: \(variable(of: .nonNull(.named("Boolean")))))"
        case 20: return "@include(if: \(variable(of: .named("Boolean"))))"  // a nullable variable: not allowed there
        case 21: return choices.element(of: ["@unknown", "@deprecated", "@auth", "@specifiedBy(url: \"x\")"])  // wrong places
        case 22: return choices.element(of: ["@skip", "@include(if: \"yes\")", "@include(if: null)", "@skip(unless: true)"])
        case 23: return "@skip(if: false) @skip(if: true)"  // not repeatable
        case 24: return Array(repeating: "@include(if: true)", count: 6).joined(separator: " ")  // the directive limit (5)
        default: return "@include(if: true)"
        }
    }

    // MARK: - Values

    /// A value for an argument of `type`: mostly a literal of the type, sometimes a variable, rarely a wrong one.
    private mutating func value(of type: SchemaModel.InputType) -> String {
        switch choices.below(16) {
        case 0...9: return literal(of: type)
        case 10, 11, 12: return variable(of: type)
        case 13: return type.isNonNull ? literal(of: type) : "null"
        case 14: return choices.element(of: ["\"text\"", "7", "true", "null", "[1, 2]", "{a: 1}", "OBJECT", "1.5", "$undefined"])
        default: return literal(of: type)
        }
    }

    private mutating func literal(of type: SchemaModel.InputType) -> String {
        switch type {
        case .nonNull(let inner):
            return literal(of: inner)
        case .list(let item):
            switch choices.below(4) {
            case 0: return "[" + literal(of: item) + ", " + literal(of: item) + "]"
            case 1: return literal(of: item)  // a single value where a list is expected is coerced to one
            case 2: return "[]"
            default: return "[" + literal(of: item) + "]"
            }
        case .named(let name):
            switch name {
            case "Int": return choices.element(of: ["2", "0", "-1", "10", "2147483647", "2147483648", "100000"])
            case "Float": return choices.element(of: ["1.5", "2", "-0.0", "1e3"])
            case "Boolean": return choices.element(of: ["true", "false"])
            case "ID": return choices.element(of: ["\"s1\"", "\"u1\"", "7", "\"0\""])
            case "String":
                let types = schema.typeNames.map { "\"\($0)\"" }
                return choices.oneIn(2)
                    ? choices.element(of: types)
                    : choices.element(of: ["\"x\"", "\"\"", "\"a@example.com\"", "\"caf\\u00e9\"", "\"\"\"block\n text\"\"\""])
            default: return "OBJECT"
            }
        }
    }

    /// A variable for a value of `type`: one already defined with that type, else a new one (now and then with
    /// another type, or a default value). The definition it appears in reads it.
    private mutating func variable(of type: SchemaModel.InputType) -> String {
        let name: String
        if let existing = variables.first(where: { $0.type.description == type.description }), !choices.oneIn(8) {
            name = existing.name
        } else {
            name = "v\(variables.count)"
            var declared = type
            if choices.oneIn(8) {
                declared = choices.element(of: [.named("String"), .named("Int"), .nonNull(.named("ID")), .list(type)])
            }
            let defaultValue = !declared.isNonNull && choices.oneIn(4) ? literal(of: declared) : nil
            variables.append(Variable(name: name, type: declared, defaultValue: defaultValue))
        }
        scopes[scopes.count - 1].variables.insert(name)
        return "$" + name
    }

    /// The request's `variables`: each defined variable mostly gets a value of its type, sometimes none, null or a
    /// wrong one.
    private mutating func variableValues() -> String? {
        guard !variables.isEmpty else { return nil }
        var entries: [String] = []
        for variable in variables {
            let value: String
            switch choices.below(8) {
            case 5: continue
            case 6: value = "null"
            case 7: value = choices.element(of: ["\"x\"", "1", "[]", "{}", "true", "1.5"])
            default: value = json(of: variable.type)
            }
            entries.append("\"\(variable.name)\":\(value)")
        }
        return "{" + entries.joined(separator: ",") + "}"
    }

    private mutating func json(of type: SchemaModel.InputType) -> String {
        switch type {
        case .nonNull(let inner): return json(of: inner)
        case .list(let item): return choices.oneIn(4) ? "[]" : "[" + json(of: item) + "," + json(of: item) + "]"
        case .named(let name):
            switch name {
            case "Int": return choices.element(of: ["2", "-1", "0", "2147483648"])
            case "Float": return choices.element(of: ["1.5", "2"])
            case "Boolean": return choices.element(of: ["true", "false"])
            case "ID": return choices.element(of: ["\"s1\"", "\"u1\"", "7"])
            default: return choices.element(of: ["\"x\"", "\"User\"", "\"\""])
            }
        }
    }

    /// Counts `text` against the budget.
    private mutating func spend(_ text: String) -> String {
        budget -= text.utf8.count
        return text
    }
}
