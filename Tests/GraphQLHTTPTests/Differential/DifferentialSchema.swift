import GraphQL
import GraphQLEngine
import GraphQLHTTP
import OrderedCollections

/// A schema for comparing the executors: every output type shape (nullable and non-null scalars, enums, lists of
/// lists, objects, an interface, a union), arguments of every input kind, and resolvers that, depending on a
/// deterministic hash of their source and field, return values, nulls, wrongly typed values, or throw.
enum DifferentialSchema {
    /// A source value; its fields derive from `seed`, and `seed` itself is read by reflection (no resolver).
    struct Entity: Sendable {
        let seed: Int
        let depth: Int
    }

    struct Crash: Error {}

    /// FNV-1a: the same in every process, so a failing case can be replayed.
    static func hash(_ seed: Int, _ salt: String) -> Int {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(seed):\(salt)".utf8 {
            value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(value >> 1)
    }

    static func entity(_ source: any Sendable) -> Entity {
        if let entity = source as? Entity { return entity }
        if let dictionary = source as? [String: any Sendable], let entity = dictionary["entity"] as? Entity { return entity }
        return Entity(seed: 0, depth: 9)
    }

    /// Throws, returns nil or returns `value()`, by the field's hash: roughly 1 in 12 of each failure.
    static func behave(_ source: any Sendable, _ field: String, _ value: () -> (any Sendable)?) throws -> (any Sendable)? {
        let entity = entity(source)
        switch hash(entity.seed, field) % 36 {
        case 0, 1, 2: throw GraphQLError(message: "\(field) failed for \(entity.seed)", extensions: ["code": "BOOM"])
        case 3, 4: throw Crash()
        case 5, 6, 7: return nil
        default: return value()
        }
    }

    static func child(_ source: any Sendable, _ salt: Int) -> Entity? {
        let parent = entity(source)
        guard parent.depth < 4 else { return nil }
        return Entity(seed: hash(parent.seed, "child\(salt)") % 100_000, depth: parent.depth + 1)
    }

    static func items<T>(_ source: any Sendable, _ field: String, count: Int? = nil, _ make: (Int) -> T?) -> [T?] {
        let seed = entity(source).seed
        return (0..<(count ?? hash(seed, field + "#") % 4)).map { index in
            hash(seed, "\(field)\(index)") % 9 == 0 ? nil : make(index)
        }
    }

    static let resolvers: Resolvers = {
        var fields: [String: FieldResolver] = [:]
        var synchronousFields: [String: SynchronousFieldResolver] = [:]
        /// About half the fields get a synchronous resolver; of the asynchronous ones, some really suspend.
        func bind(_ coordinate: String, _ value: @escaping @Sendable (any Sendable, Map) -> (any Sendable)?) {
            if hash(0, coordinate) % 2 == 0 {
                synchronousFields[coordinate] = { source, arguments, _, _ in try behave(source, coordinate, { value(source, arguments) }) }
            } else {
                fields[coordinate] = { source, arguments, _, _ in
                    if hash(entity(source).seed, coordinate + "yield") % 4 == 0 { await Task.yield() }
                    return try behave(source, coordinate, { value(source, arguments) })
                }
            }
        }
        for type in ["Thing", "Query"] {
            bind("\(type).echo") { _, arguments in "\(arguments)" }
        }
        bind("Thing.id") { source, _ in hash(entity(source).seed, "idtype") % 5 == 0 ? entity(source).seed : "t\(entity(source).seed)" }
        bind("Thing.name") { source, _ in
            ["plain", "quote\" back\\ tab\t nl\n", "é ü 😀", "\u{1}ctl"][hash(entity(source).seed, "name") % 4]
        }
        bind("Thing.count") { source, _ in
            let seed = entity(source).seed
            switch hash(seed, "countkind") % 8 {
            case 0: return "42"
            case 1: return Int(Int32.max) + 1
            case 2: return "x"
            case 3: return 2.0
            default: return seed % 1000 - 500
            }
        }
        bind("Thing.score") { source, _ in
            let seed = entity(source).seed
            switch hash(seed, "scorekind") % 6 {
            case 0: return seed
            case 1: return Double(seed % 10)
            case 2: return "1.5"
            default: return Double(seed) / 7
            }
        }
        bind("Thing.flag") { source, _ in hash(entity(source).seed, "flagkind") % 7 == 0 ? 1 : entity(source).seed % 2 == 0 }
        bind("Thing.kind") { source, _ in ["A", "B", "C", "Z"][hash(entity(source).seed, "kind") % 4] }
        bind("Thing.tags") { source, _ in items(source, "tags") { "tag\($0)" } }
        bind("Thing.strictTags") { source, _ in items(source, "strictTags") { "s\($0)" } }
        bind("Thing.matrix") { source, _ in items(source, "matrix") { row in items(Entity(seed: row, depth: 0), "row") { $0 * row } } }
        bind("Thing.notAList") { _, _ in "scalar" }
        bind("Thing.child") { source, _ in child(source, 1) }
        bind("Thing.strictChild") { source, _ in child(source, 2) }
        bind("Thing.children") { source, arguments in
            items(source, "children", count: max(0, min(arguments["first"].int ?? 2, 4))) { child(source, 10 + $0) }.map { $0 ?? nil }
        }
        bind("Thing.strictChildren") { source, _ in items(source, "strictChildren") { child(source, 20 + $0) }.map { $0 ?? nil } }
        bind("Thing.node") { source, _ in node(source, "node") }
        bind("Thing.results") { source, _ in items(source, "results") { result(source, $0) } }
        bind("Query.hello") { _, _ in "Hello, world!" }
        bind("Query.thing") { _, arguments in Entity(seed: arguments["seed"].int ?? 1, depth: 0) }
        bind("Query.strictThing") { _, arguments in Entity(seed: arguments["seed"].int ?? 1, depth: 0) }
        bind("Query.things") { source, arguments in
            (0..<max(0, min(arguments["count"].int ?? 3, 5))).map { Entity(seed: $0 * 101 + 3, depth: 0) }
        }
        bind("Query.node") { _, arguments in node(Entity(seed: arguments["seed"].int ?? 5, depth: 0), "root") }
        bind("Query.results") { _, arguments in items(Entity(seed: arguments["seed"].int ?? 8, depth: 0), "rootResults") { result(Entity(seed: 8, depth: 0), $0) } }
        bind("Mutation.bump") { _, arguments in Entity(seed: arguments["by"].int ?? 0, depth: 0) }
        bind("Mutation.strictBump") { _, arguments in Entity(seed: arguments["by"].int ?? 0, depth: 0) }
        let types: [String: TypeResolver] = [
            "Node": { value, _ in
                if value is Entity { return "Thing" }
                return (value as? [String: any Sendable])?["__typename"] as? String
            }
        ]
        return Resolvers(fields: fields, synchronousFields: synchronousFields, types: types)
    }()

    /// An interface value: a Thing, an Other (a dictionary read by the default resolver), or a type name that does
    /// not fit.
    static func node(_ source: any Sendable, _ salt: String) -> (any Sendable)? {
        guard let entity = child(source, hash(entity(source).seed, salt) % 50) else { return nil }
        switch hash(entity.seed, "nodekind") % 7 {
        case 0: return ["__typename": "Ghost", "id": "g"] as [String: any Sendable]
        case 1: return ["__typename": "Kind", "id": "k"] as [String: any Sendable]
        case 2, 3: return other(entity)
        default: return entity
        }
    }

    static func other(_ entity: Entity) -> [String: any Sendable] {
        ["__typename": "Other", "id": "o\(entity.seed)", "name": "other \(entity.seed)", "value": entity.seed % 10, "entity": entity]
    }

    /// A union value, typed only by its `__typename` entry (the union has no type resolver).
    static func result(_ source: any Sendable, _ index: Int) -> (any Sendable)? {
        guard let entity = child(source, 30 + index) else { return nil }
        switch hash(entity.seed, "resultkind") % 5 {
        case 0: return ["entity": entity] as [String: any Sendable]
        case 1, 2: return ["__typename": "Thing", "entity": entity] as [String: any Sendable]
        default: return other(entity)
        }
    }

    /// The same schema for both executors: GraphQLSwift's fields call the resolvers through `referenceResolve`.
    static let schema: GraphQLSchema = {
        let resolvers = Self.resolvers
        func field(_ type: String, _ name: String, _ output: any GraphQLOutputType, _ args: GraphQLArgumentConfigMap = [:]) -> GraphQLField {
            let coordinate = "\(type).\(name)"
            let resolve = resolvers.fields[coordinate] ?? resolvers.synchronousFields[coordinate].map(Resolvers.asynchronous)
            return GraphQLField(type: output, args: args, resolve: resolve.map(Resolvers.referenceResolve))
        }
        let kind = try! GraphQLEnumType(name: "Kind", values: ["A": GraphQLEnumValue(value: "A"), "B": GraphQLEnumValue(value: "B"), "C": GraphQLEnumValue(value: "C")])
        let filter = try! GraphQLInputObjectType(
            name: "Filter",
            fields: [
                "min": InputObjectField(type: GraphQLInt, defaultValue: 1),
                "names": InputObjectField(type: GraphQLList(GraphQLNonNull(GraphQLString))),
                "kind": InputObjectField(type: kind),
            ]
        )
        let echoArguments: GraphQLArgumentConfigMap = [
            "a": GraphQLArgument(type: GraphQLInt),
            "b": GraphQLArgument(type: GraphQLString, defaultValue: "dflt"),
            "k": GraphQLArgument(type: kind),
            "list": GraphQLArgument(type: GraphQLList(GraphQLInt)),
            "f": GraphQLArgument(type: filter),
            "id": GraphQLArgument(type: GraphQLID),
            "x": GraphQLArgument(type: GraphQLFloat),
        ]
        let node = try! GraphQLInterfaceType(
            name: "Node",
            fields: ["id": GraphQLField(type: GraphQLNonNull(GraphQLID)), "name": GraphQLField(type: GraphQLString)],
            resolveType: resolvers.referenceResolveType("Node")
        )
        let other = try! GraphQLObjectType(
            name: "Other",
            fields: [
                "id": GraphQLField(type: GraphQLNonNull(GraphQLID)),
                "name": GraphQLField(type: GraphQLString),
                "value": GraphQLField(type: GraphQLInt),
            ],
            interfaces: [node]
        )
        /// Thing refers to itself and to Result, which refers back to it; its fields are read once the types exist.
        final class Box: @unchecked Sendable {
            var thing: GraphQLObjectType?
            var result: GraphQLUnionType?
        }
        let box = Box()
        let thing = try! GraphQLObjectType(
            name: "Thing",
            fields: {
                [
                    "id": field("Thing", "id", GraphQLNonNull(GraphQLID)),
                    "seed": GraphQLField(type: GraphQLInt),
                    "name": field("Thing", "name", GraphQLString),
                    "count": field("Thing", "count", GraphQLInt),
                    "score": field("Thing", "score", GraphQLFloat),
                    "flag": field("Thing", "flag", GraphQLBoolean),
                    "kind": field("Thing", "kind", kind),
                    "tags": field("Thing", "tags", GraphQLList(GraphQLString)),
                    "strictTags": field("Thing", "strictTags", GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString)))),
                    "matrix": field("Thing", "matrix", GraphQLList(GraphQLList(GraphQLInt))),
                    "notAList": field("Thing", "notAList", GraphQLList(GraphQLString)),
                    "child": field("Thing", "child", box.thing!),
                    "strictChild": field("Thing", "strictChild", GraphQLNonNull(box.thing!)),
                    "children": field("Thing", "children", GraphQLList(box.thing!), ["first": GraphQLArgument(type: GraphQLInt, defaultValue: 2)]),
                    "strictChildren": field("Thing", "strictChildren", GraphQLList(GraphQLNonNull(box.thing!))),
                    "node": field("Thing", "node", node),
                    "results": field("Thing", "results", GraphQLList(box.result!)),
                    "echo": field("Thing", "echo", GraphQLString, echoArguments),
                ]
            },
            interfaces: { [node] }
        )
        box.thing = thing
        let result = try! GraphQLUnionType(name: "Result", resolveType: resolvers.referenceResolveType("Result"), types: [thing, other])
        box.result = result
        let query = try! GraphQLObjectType(
            name: "Query",
            fields: [
                "hello": field("Query", "hello", GraphQLNonNull(GraphQLString)),
                "thing": field("Query", "thing", thing, ["seed": GraphQLArgument(type: GraphQLInt)]),
                "strictThing": field("Query", "strictThing", GraphQLNonNull(thing), ["seed": GraphQLArgument(type: GraphQLNonNull(GraphQLInt))]),
                "things": field("Query", "things", GraphQLNonNull(GraphQLList(GraphQLNonNull(thing))), ["count": GraphQLArgument(type: GraphQLInt)]),
                "node": field("Query", "node", node, ["seed": GraphQLArgument(type: GraphQLInt)]),
                "results": field("Query", "results", GraphQLList(result), ["seed": GraphQLArgument(type: GraphQLInt)]),
                "echo": field("Query", "echo", GraphQLString, echoArguments),
            ]
        )
        let mutation = try! GraphQLObjectType(
            name: "Mutation",
            fields: [
                "bump": field("Mutation", "bump", thing, ["by": GraphQLArgument(type: GraphQLNonNull(GraphQLInt))]),
                "strictBump": field("Mutation", "strictBump", GraphQLNonNull(thing), ["by": GraphQLArgument(type: GraphQLNonNull(GraphQLInt))]),
            ]
        )
        return try! GraphQLSchema(query: query, mutation: mutation, types: [other, thing, result])
    }()
}
