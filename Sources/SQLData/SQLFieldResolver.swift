// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine
import SQLite
import OrderedCollections
import Synchronization

/// Runs one `@sql` field's statement for a request and shapes its rows as the field's type wants them.
struct SQLFieldResolver: Sendable {
    /// A statement run for all parent rows at once, checked against the database (`SQLFields.batchable`).
    struct Batch: Sendable {
        enum KeyKind: Sendable { case integer, text }
        let statement: SQLBatch
        /// The key column's position in the result.
        let keyIndex: Int
        /// What the key column holds; parents whose keys are of another kind run one by one.
        let keyKind: KeyKind

        func accepts(_ keys: [SQLiteValue]) -> Bool {
            keys.allSatisfy { key in
                switch (keyKind, key) {
                case (.integer, .integer), (.text, .text): true
                default: false
                }
            }
        }
    }

    /// `Type.field`, part of the key under which sibling rows keep a batch's result.
    let coordinate: String
    let statement: SQLStatement
    /// The statement for every parent row at once; nil when it cannot be batched.
    let batch: Batch?
    let returns: SQLResult
    /// A non-null field that is not a list: no row is `NOT_FOUND` (a mutation that matched nothing, say).
    let requiresRow: Bool
    let inTransaction: Bool
    let database: SQLDatabase
    let identity: SQLFields.Identity

    /// Whether the statement binds `:identity`, which may have to ask Kratos for the session (so the resolver
    /// waits); any other runs without an `async` call, and so do the fields below it.
    var needsIdentity: Bool { statement.parameters.contains(.identity) }

    /// The resolver of a statement with `:identity`.
    var resolve: FieldResolver {
        { source, arguments, context, _ in try run(source: source, arguments: arguments, identity: try await identity(context)) }
    }

    /// The resolver of a statement without `:identity`.
    var resolveNow: SynchronousFieldResolver {
        { source, arguments, _, _ in try run(source: source, arguments: arguments, identity: nil) }
    }

    private func run(source: any Sendable, arguments: Map, identity: String?) throws -> (any Sendable)? {
        let parent = source as? SQLRecord
        var values: [SQLiteValue] = []
        values.reserveCapacity(statement.parameters.count)
        for parameter in statement.parameters {
            switch parameter {
            case .argument(let name): values.append(SQLValues.value(of: arguments[name]))
            case .parent(let column): values.append(parent?.raw(column) ?? .null)
            case .identity: values.append(identity.map(SQLiteValue.text) ?? .null)
            }
        }
        let rows: ArraySlice<SQLiteRow>
        let shared: SQLSiblings
        if let batch, let parent, case let siblings = parent.siblings,
            // The first of the parent rows to ask runs the statement for all of them (when their keys are of the
            // kind the statement compares exactly); the others read their share, kept under the field and every
            // value bound but the parents' (two fields, or one with other arguments, never share a result).
            let result = try siblings.batch(batchKey(values, batch: batch), load: {
                let keys = siblings.values(of: batch.statement.parentColumn)
                guard batch.accepts(keys) else { return nil }
                var batchValues = values
                batchValues[batch.statement.position - 1] = .text(SQLValues.keys(keys, for: batch.statement.dialect))
                return SQLBatchResult(try execute(batch.statement.text, batchValues), keyIndex: batch.keyIndex)
            })
        {
            rows = result.rows(for: parent.raw(batch.statement.parentColumn) ?? .null)
            shared = result.siblings
        } else {
            let all = try execute(statement.text, values)
            rows = all[...]
            shared = SQLSiblings(all)
        }
        if requiresRow, rows.isEmpty {
            throw GraphQLError(message: "Not found", extensions: ["code": .string(ErrorCode.notFound)])
        }
        return returns.value(rows, siblings: shared)
    }

    /// The field and every value bound but the parents'.
    private func batchKey(_ values: [SQLiteValue], batch: Batch) -> String {
        var key = coordinate
        for (index, value) in values.enumerated() where index != batch.statement.position - 1 { key += "\u{0}\(value)" }
        return key
    }

    private func execute(_ text: String, _ values: [SQLiteValue]) throws -> [SQLiteRow] {
        do {
            return try database.rows(text, values, writes: inTransaction)
        } catch {
            switch error {
            case .constraint:
                throw GraphQLError(message: "The change conflicts with the data already stored", extensions: ["code": .string(ErrorCode.badUserInput)])
            case .invalidValue:
                throw GraphQLError(message: "An argument has a value the statement cannot use", extensions: ["code": .string(ErrorCode.badUserInput)])
            case .limit:
                throw GraphQLError(
                    message: "The data asked for is more than one statement may return (\(database.limitsDescription))",
                    extensions: ["code": .string(ErrorCode.dataLimitExceeded)]
                )
            case .unavailable:
                throw GraphQLError(message: "The database cannot be reached", extensions: ["code": .string(ErrorCode.upstreamUnavailable)])
            case .other(let underlying):
                throw underlying
            }
        }
    }
}

/// A row as the fields below an `@sql` field read it: the plan executor writes the fields of built-in scalar types
/// straight from its values (`ColumnarRow`); others read it through `KeySubscriptable`, converted to the field's
/// type (`Boolean` from SQLite's 0 and 1, `ID` from integers); nested `@sql` fields read the raw values.
struct SQLRecord: Sendable, ColumnarRow {
    let row: SQLiteRow
    let conversions: [String: SQLValues.Conversion]
    /// The rows of the same statement result, which a nested statement runs for at once, and their columns.
    let siblings: SQLSiblings

    var columns: ColumnNames { siblings.columns }

    /// The value of column `name` as the database returned it, for `:parent.column` parameters and batch keys.
    func raw(_ name: String) -> SQLiteValue? { siblings.columns.position(of: name).map { row.values[$0] } }

    /// The value of column `name` converted to the type of the field of that name.
    subscript(key: String) -> (any Sendable)? {
        guard let position = siblings.columns.position(of: key) else { return nil }
        return (conversions[key] ?? .other).convert(row.values[position])
    }

    /// The JSON `self[name]` would come to, written without the conversion: what the executor would write for
    /// the converted value, or `.fallBack` where it would go through the type's `serialize` (an error, say).
    func writeColumn(_ index: Int, as kind: ScalarKind, into writer: inout JSONWriter) -> ColumnWrite {
        SQLValues.write(row.values[index], as: kind, into: &writer)
    }
}

/// The rows of one statement result, and what nested batched statements returned for them (once each, by
/// whichever of them asks first).
final class SQLSiblings: Sendable {
    private let rows: [SQLiteRow]
    /// The column names, the same for every row of one result.
    let columns: ColumnNames
    /// Each batch's result; nil for a batch the parents' keys cannot run (each parent runs its own statement).
    private let results = Mutex<[String: SQLBatchResult?]>([:])

    init(_ rows: [SQLiteRow]) {
        self.rows = rows
        self.columns = ColumnNames(rows.first?.columns ?? [])
    }

    /// The distinct values of `column` in these rows, nulls left out.
    func values(of column: String) -> [SQLiteValue] {
        guard let position = columns.position(of: column) else { return [] }
        var seen = Set<SQLiteValue>()
        return rows.compactMap { row in
            let value = row.values[position]
            guard value != .null, seen.insert(value).inserted else { return nil }
            return value
        }
    }

    /// The result of the batched statement `statement` for these rows, running `load` the first time it is asked
    /// for (once for all the rows: asking costs a dictionary lookup, not a pass over the rows).
    func batch(_ statement: String, load: () throws -> SQLBatchResult?) throws -> SQLBatchResult? {
        try results.withLock { results in
            if let loaded = results[statement] { return loaded }
            let loaded = try load()
            results[statement] = .some(loaded)
            return loaded
        }
    }
}

/// The rows a batched statement returned for all the parents, grouped by their key column.
struct SQLBatchResult: Sendable {
    /// The rows, for the statements nested below them.
    let siblings: SQLSiblings
    private let byKey: [SQLiteValue: [SQLiteRow]]

    init(_ rows: [SQLiteRow], keyIndex: Int) {
        siblings = SQLSiblings(rows)
        var byKey: [SQLiteValue: [SQLiteRow]] = [:]
        for row in rows { byKey[row.values[keyIndex], default: []].append(row) }
        self.byKey = byKey
    }

    /// The rows of the parent whose key is `key`.
    func rows(for key: SQLiteValue) -> ArraySlice<SQLiteRow> { byKey[key].map { $0[...] } ?? [] }
}

/// The rows of a list of objects, as the plan executor writes them (`ColumnarRows`).
struct SQLRows: Sendable, ColumnarRows {
    let rows: ArraySlice<SQLiteRow>
    let conversions: [String: SQLValues.Conversion]
    let siblings: SQLSiblings

    var columns: ColumnNames { siblings.columns }
    var count: Int { rows.count }

    func writeColumn(row: Int, column: Int, as kind: ScalarKind, into writer: inout JSONWriter) -> ColumnWrite {
        SQLValues.write(rows[rows.startIndex + row].values[column], as: kind, into: &writer)
    }

    func item(_ row: Int) -> any Sendable {
        SQLRecord(row: rows[rows.startIndex + row], conversions: conversions, siblings: siblings)
    }
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

    /// The field's value from its rows: all of them for a list (of objects: as `SQLRows`), else the first (or null).
    func value(_ rows: ArraySlice<SQLiteRow>, siblings: SQLSiblings) -> (any Sendable)? {
        switch self {
        case .list(.object(let conversions)):
            return SQLRows(rows: rows, conversions: conversions, siblings: siblings)
        case .list(let item):
            return rows.map { item.item($0, siblings: siblings) }
        default:
            return rows.first.flatMap { item($0, siblings: siblings) }
        }
    }

    /// One row as an item of the field's value.
    func item(_ row: SQLiteRow, siblings: SQLSiblings) -> (any Sendable)? {
        switch self {
        case .object(let conversions):
            return SQLRecord(row: row, conversions: conversions, siblings: siblings)
        case .leaf(let conversion):
            return row.values.first.flatMap(conversion.convert)
        case .list(let item):
            return item.item(row, siblings: siblings)
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
            case (.int, .real(let real)): real  // Int's serialisation refuses a fraction: a field error, not a truncation
            case (.float, .integer(let integer)): Double(integer)
            case (.string, .integer(let integer)): String(integer)
            case (.string, .real(let real)): String(real)
            case (_, .integer(let integer)): Int(integer)
            case (_, .real(let real)): real
            case (_, .text(let text)): text
            case (_, .blob(let bytes)): hex(bytes)
            }
        }
    }

    /// Writes `value` as the JSON the executor would write for `Conversion(kind).convert(value)`, or `.fallBack`
    /// where that goes through the type's `serialize` (an integer out of `Int`'s range, text for a number, …).
    static func write(_ value: SQLiteValue, as kind: ScalarKind, into writer: inout JSONWriter) -> ColumnWrite {
        switch (kind, value) {
        case (_, .null):
            return .null
        case (.string, .text(let text)), (.id, .text(let text)):
            writer.string(text)
        case (.string, .integer(let integer)), (.id, .integer(let integer)):
            writer.raw("\"")
            writer.integer(Int(integer))
            writer.raw("\"")
        case (.int, .integer(let integer)) where Int64(Int32.min)...Int64(Int32.max) ~= integer:
            writer.integer(Int(integer))
        case (.float, .integer(let integer)):
            writer.double(Double(integer))
        case (.float, .real(let real)) where real.isFinite:
            writer.double(real)
        case (.boolean, .integer(let integer)):
            writer.raw(integer != 0 ? "true" : "false")
        default:
            return .fallBack
        }
        return .written
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

    /// A batch's keys as one value: for SQLite a JSON array (`json_each`), for PostgreSQL an array literal.
    static func keys(_ values: [SQLiteValue], for dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: jsonArray(values)
        case .postgresql: arrayLiteral(values)
        }
    }

    /// Keys as PostgreSQL's array literal: `{1,2}`, `{"a","b\"c"}` (every element quoted, `"` and `\` escaped).
    static func arrayLiteral(_ values: [SQLiteValue]) -> String {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            switch value {
            case .integer(let integer): literal += String(integer)
            case .real(let real): literal += "\(real)"
            case .text(let text):
                literal += "\""
                for character in text.unicodeScalars {
                    if character == "\"" || character == "\\" { literal += "\\" }
                    literal.unicodeScalars.append(character)
                }
                literal += "\""
            case .blob, .null: literal += "NULL"
            }
        }
        return literal + "}"
    }

    /// Bytes as lower-case hexadecimal digits.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Keys as a JSON array for `json_each`: integers and reals as numbers, text as strings.
    static func jsonArray(_ values: [SQLiteValue]) -> String {
        var writer = JSONWriter(capacity: values.count * 8 + 2)
        writer.raw("[")
        for (index, value) in values.enumerated() {
            if index > 0 { writer.raw(",") }
            switch value {
            case .integer(let integer): writer.integer(Int(integer))
            case .real(let real): writer.double(real)
            case .text(let text): writer.string(text)
            case .blob, .null: writer.raw("null")
            }
        }
        writer.raw("]")
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
