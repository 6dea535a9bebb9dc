// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine
import SQLite
import OrderedCollections

/// Runs one `@sql` field's statement for a request and shapes its rows as the field's type wants them.
struct SQLFieldResolver: Sendable {
    let statement: SQLStatement
    let returns: SQLResult
    /// A non-null field that is not a list: no row is `NOT_FOUND` (a mutation that matched nothing, say).
    let requiresRow: Bool
    let inTransaction: Bool
    let database: SQLiteDatabase
    let identity: SQLFields.Identity

    var resolve: FieldResolver {
        { source, arguments, context, _ in try await run(source: source, arguments: arguments, context: context) }
    }

    private func run(source: any Sendable, arguments: Map, context: any Sendable) async throws -> (any Sendable)? {
        var values: [SQLiteValue] = []
        values.reserveCapacity(statement.parameters.count)
        for parameter in statement.parameters {
            switch parameter {
            case .argument(let name): values.append(SQLValues.value(of: arguments[name]))
            case .parent(let column): values.append(SQLValues.value(of: (source as? SQLRecord)?.columns[column] ?? nil))
            case .identity: values.append(.text(try await identity(context)))
            }
        }
        let (text, inTransaction) = (statement.text, self.inTransaction)
        let rows: [SQLiteRow]
        do {
            rows = try database.withConnection { connection in
                inTransaction ? try connection.transaction { try connection.rows(text, values) } : try connection.rows(text, values)
            }
        } catch let error as SQLiteError where error.code == 19 {  // SQLITE_CONSTRAINT
            throw GraphQLError(message: "The change conflicts with the data already stored", extensions: ["code": .string(ErrorCode.badUserInput)])
        }
        if requiresRow, rows.isEmpty {
            throw GraphQLError(message: "Not found", extensions: ["code": .string(ErrorCode.notFound)])
        }
        return returns.shape(rows)
    }
}

/// A row as the fields below an `@sql` field read it: by column name (`DefaultResolver` reads the dictionary), and by
/// nested `@sql` fields as `:parent.column`.
struct SQLRecord: Sendable, KeySubscriptable {
    let columns: [String: (any Sendable)?]

    subscript(key: String) -> (any Sendable)? { columns[key] ?? nil }
}

/// How rows become the value of a field of a given type.
indirect enum SQLResult: Sendable {
    /// An object: its fields' values converted to their types (`Boolean` from SQLite's 0 and 1, `ID` from integers).
    case object(conversions: [String: SQLValues.Conversion])
    case leaf(SQLValues.Conversion)
    case list(SQLResult)

    init(_ type: any GraphQLType, schema: GraphQLSchema) {
        switch type {
        case let nonNull as GraphQLNonNull: self.init(nonNull.ofType, schema: schema)
        case let list as GraphQLList: self = .list(SQLResult(list.ofType, schema: schema))
        case let object as GraphQLObjectType:
            var conversions: [String: SQLValues.Conversion] = [:]
            for (name, field) in (try? object.fields()) ?? [:] {
                if let leaf = SQLFields.namedType(field.type) as? any GraphQLLeafType { conversions[name] = SQLValues.Conversion(leaf) }
            }
            self = .object(conversions: conversions)
        case let leaf as any GraphQLLeafType: self = .leaf(SQLValues.Conversion(leaf))
        default: self = .object(conversions: [:])
        }
    }

    func shape(_ rows: [SQLiteRow]) -> (any Sendable)? {
        switch self {
        case .list(let item): return rows.map { item.one($0) } as [(any Sendable)?]
        default: return rows.first.flatMap(one)
        }
    }

    private func one(_ row: SQLiteRow) -> (any Sendable)? {
        switch self {
        case .object(let conversions):
            var columns: [String: (any Sendable)?] = [:]
            for (name, value) in zip(row.columns, row.values) {
                columns[name] = (conversions[name] ?? .other).convert(value)
            }
            return SQLRecord(columns: columns)
        case .leaf(let conversion):
            return row.values.first.flatMap(conversion.convert)
        case .list(let item):
            return item.one(row)
        }
    }
}

/// SQLite values to and from GraphQL's.
enum SQLValues {
    /// The Swift value a column gives a field of a built-in scalar type.
    enum Conversion: Sendable {
        case boolean, int, float, string, other

        init(_ leaf: any GraphQLLeafType) {
            switch leaf.name {
            case "Boolean": self = .boolean
            case "Int": self = .int
            case "Float": self = .float
            case "String", "ID": self = .string
            default: self = .other
            }
        }

        func convert(_ value: SQLiteValue) -> (any Sendable)? {
            switch (self, value) {
            case (_, .null): nil
            case (.boolean, .integer(let integer)): integer != 0
            case (.int, .integer(let integer)): Int(integer)
            case (.float, .integer(let integer)): Double(integer)
            case (.string, .integer(let integer)): String(integer)
            case (.string, .real(let real)): String(real)
            case (_, .integer(let integer)): Int(integer)
            case (_, .real(let real)): real
            case (_, .text(let text)): text
            case (_, .blob(let bytes)): bytes.map { String($0, radix: 16) }.joined()
            }
        }
    }

    /// The SQLite value of an argument (arguments of `@sql` fields are scalars and enums, checked at load).
    static func value(of argument: Map) -> SQLiteValue {
        switch argument {
        case .string(let text): return .text(text)
        case .bool(let flag): return .integer(flag ? 1 : 0)
        case .number(let number):
            let double = number.doubleValue
            if double.rounded() == double, abs(double) < 9.0e15 { return .integer(Int64(double)) }
            return .real(double)
        default: return .null
        }
    }

    /// The SQLite value of a parent row's column.
    static func value(of column: (any Sendable)?) -> SQLiteValue {
        switch column {
        case let integer as Int: .integer(Int64(integer))
        case let real as Double: .real(real)
        case let text as String: .text(text)
        case let flag as Bool: .integer(flag ? 1 : 0)
        default: .null
        }
    }
}
