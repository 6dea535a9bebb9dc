// SPDX-License-Identifier: Apache-2.0
public import GraphQL
public import GraphQLEngine
import SQLite
import OrderedCollections

/// The `@sql` fields of a schema: each checked against the database when the schema loads (startup,
/// `check-config`, SIGHUP) and bound to a resolver that runs its statement.
///
/// A statement's named parameters (`:argument`, `:parent.column`, `:identity`) are bound, never spliced (see
/// `SQLStatement`). Rows fill fields by column name: a list field gets every row, an object field the first (none:
/// null), a scalar field the first column of the first row. Fields of `Mutation` run in a transaction.
public enum SQLFields {
    /// The directive, declared for the SDL when it uses `@sql` without declaring it.
    public static let directiveName = "sql"
    /// Its declaration.
    public static let directiveDefinition = "directive @sql(query: String!) on FIELD_DEFINITION"

    /// The signed-in identity's id for a request context, or the error to answer with (`UNAUTHENTICATED`).
    public typealias Identity = @Sendable (_ context: any Sendable) async throws -> String

    /// Why `@sql` fields could not be bound: every problem, each with the SDL line of its field.
    public struct Problems: Error, CustomStringConvertible {
        /// One line per problem: `FILE:LINE: Type.field: what is wrong`.
        public let lines: [String]
        /// The problems, one per line.
        public var description: String { lines.joined(separator: "\n") }
    }

    /// What `@sql` binds: each `@sql` field's resolver. The other fields of the object types they fill have no
    /// resolver: the plan executor writes them straight from the rows (`SQLRecord` is a `ColumnarRow`).
    public struct Bindings: Sendable {
        /// The resolvers of statements with `:identity` (the session may have to be asked for), by coordinate.
        public var fields: [String: FieldResolver] = [:]
        /// The resolvers of the other statements, which run without an `async` call (the database call itself
        /// holds the worker thread, as a SQLite or libpq call does), by coordinate.
        public var synchronousFields: [String: SynchronousFieldResolver] = [:]
    }

    /// Resolvers for every `@sql` field of `schema`, by coordinate. `sdl` is the text the schema was built from
    /// (for line numbers in problems, named by `origin`); `database` is nil when none is configured;
    /// `resolvedElsewhere` are the coordinates an app binds in Swift (a field may not have both).
    public static func resolvers(
        schema: GraphQLSchema,
        sdl: String,
        origin: String,
        database: SQLDatabase?,
        resolvedElsewhere: Set<String>,
        identity: @escaping Identity
    ) throws(Problems) -> Bindings {
        let declarations = fields(of: schema)
        guard !declarations.isEmpty else { return Bindings() }
        var problems: [String] = []
        guard let database else {
            throw Problems(lines: ["\(origin): \(declarations.count) fields use @sql, and no database is configured (database: sqlite:PATH or postgresql://…)"])
        }
        let sqlCoordinates = Set(declarations.map(\.coordinate))
        var bindings = Bindings()
        for declaration in declarations {
            let place = "\(origin):\(SDLLines.line(ofOffset: declaration.offset, in: sdl)): \(declaration.coordinate)"
            guard !resolvedElsewhere.contains(declaration.coordinate) else {
                problems.append("\(place): has both @sql and a resolver in Swift")
                continue
            }
            guard let statement = SQLStatement(declaration.query, dialect: database.dialect) else {
                problems.append("\(place): the statement has an unterminated string, identifier or comment")
                continue
            }
            let fieldProblems = check(declaration, statement, schema: schema, database: database, filledElsewhere: resolvedElsewhere.union(sqlCoordinates))
            problems += fieldProblems.map { "\(place): \($0)" }
            guard fieldProblems.isEmpty else { continue }
            let resolver = SQLFieldResolver(
                coordinate: declaration.coordinate,
                statement: statement,
                batch: statement.batch.flatMap { batchable($0, database: database) },
                returns: SQLResult(declaration.field.type, schema: schema),
                requiresRow: (declaration.field.type as? GraphQLNonNull)?.ofType is GraphQLObjectType
                    || (declaration.field.type as? GraphQLNonNull)?.ofType is any GraphQLLeafType,
                inTransaction: declaration.parent === schema.mutationType,
                database: database,
                identity: identity
            )
            if resolver.needsIdentity {
                bindings.fields[declaration.coordinate] = resolver.resolve
            } else {
                bindings.synchronousFields[declaration.coordinate] = resolver.resolveNow
            }
        }
        guard problems.isEmpty else { throw Problems(lines: problems) }
        return bindings
    }

    struct Declaration {
        let parent: GraphQLObjectType
        let name: String
        let field: GraphQLField
        let query: String
        let offset: Int
        var coordinate: String { "\(parent.name).\(name)" }
    }

    /// Every field with `@sql`, in the schema's order.
    static func fields(of schema: GraphQLSchema) -> [Declaration] {
        var declarations: [Declaration] = []
        for case let type as GraphQLObjectType in schema.typeMap.values where !type.name.hasPrefix("__") {
            for (name, field) in (try? type.fields()) ?? [:] {
                guard let directive = field.astNode?.directives.first(where: { $0.name.value == directiveName }),
                    let argument = directive.arguments.first(where: { $0.name.value == "query" }),
                    let query = argument.value as? StringValue
                else { continue }
                declarations.append(Declaration(parent: type, name: name, field: field, query: query.value, offset: directive.loc?.start ?? 0))
            }
        }
        return declarations
    }

    /// The batch of a statement when its rewritten form prepares and selects its key column as the table declares
    /// it (not an expression), of a type compared exactly (integer, or text with a binary collation): then the batch
    /// matches exactly what `=` matched for each parent, and rows go back to parents by the same values.
    private static func batchable(_ batch: SQLBatch, database: SQLDatabase) -> SQLFieldResolver.Batch? {
        guard let shape = try? database.shape(of: batch.text),
            let index = shape.columns.firstIndex(of: batch.keyColumn),
            let key = shape.keys[index], key.column.lowercased() == batch.keyColumn.lowercased()
        else { return nil }
        return SQLFieldResolver.Batch(statement: batch, keyIndex: index, keyKind: key.kind)
    }

    /// What is wrong with one field's statement, checked against the database without running it.
    private static func check(
        _ declaration: Declaration,
        _ statement: SQLStatement,
        schema: GraphQLSchema,
        database: SQLDatabase,
        filledElsewhere: Set<String>
    ) -> [String] {
        var problems: [String] = []
        let isRoot = [schema.queryType, schema.mutationType, schema.subscriptionType].contains { $0 === declaration.parent }
        for parameter in statement.parameters {
            switch parameter {
            case .argument(let name):
                guard let argument = declaration.field.args[name] else {
                    problems.append("\(parameter) is not an argument of the field")
                    continue
                }
                if !TypeShape.isSingleLeaf(argument.type) {
                    problems.append("\(parameter) is not a scalar or enum argument")
                }
            case .parent:
                if isRoot { problems.append("\(parameter): a root field has no parent row") }
            case .identity:
                break
            }
        }
        let shape: SQLShape
        do {
            shape = try database.shape(of: statement.text)
        } catch {
            return problems + ["the statement does not prepare: \(error.message)"]
        }
        if shape.parameterCount != statement.parameters.count || statement.hasPositionalParameters {
            problems.append("the statement has parameters of its own (?, ?N, $N, $name, @name): write :argument, :parent.column or :identity")
        }
        if declaration.parent !== schema.mutationType, !shape.isReadOnly {
            problems.append("only a Mutation field's statement may write (this one runs whenever the field is read)")
        }
        if shape.columns.isEmpty {
            problems.append("the statement returns no columns (add RETURNING to an INSERT, UPDATE or DELETE)")
        }
        if let object = namedType(declaration.field.type) as? GraphQLObjectType, let fields = try? object.fields() {
            let columns = Set(shape.columns)
            for (name, field) in fields where field.type is GraphQLNonNull && !columns.contains(name) && !filledElsewhere.contains("\(object.name).\(name)") {
                problems.append("returns no column \(name) for the non-null field \(object.name).\(name)")
            }
        }
        return problems
    }

    static func namedType(_ type: any GraphQLType) -> (any GraphQLType)? {
        switch type {
        case let nonNull as GraphQLNonNull: namedType(nonNull.ofType)
        case let list as GraphQLList: namedType(list.ofType)
        default: type
        }
    }
}
