// SPDX-License-Identifier: Apache-2.0
public import GraphQL

/// A value whose fields are the columns of a row (a row of a database result): the plan executor writes a field
/// without a resolver of its own (`DefaultResolver`'s fields) of a built-in scalar type straight from the row into
/// the response, with no resolver call and no value boxed on the way. Fields it cannot write so (another type, a
/// value that needs the type's `serialize`) are read as usual, through `KeySubscriptable`.
public protocol ColumnarRow: KeySubscriptable, Sendable {
    /// The row's column names; one object shared by every row of one result, so that the executor finds each
    /// field's column once per result rather than once per row.
    var columns: ColumnNames { get }

    /// Writes column `index` as the JSON of a field of `kind`, exactly as that scalar's `serialize` and the
    /// executor would write the value `self[name]` returns.
    func writeColumn(_ index: Int, as kind: ScalarKind, into writer: inout JSONWriter) -> ColumnWrite
}

/// The rows of a result as one list value (what a resolver returns for a list of objects read from a database):
/// the executor completes the list row by row, writing the fields of built-in scalar types without a resolver of
/// their own straight from the columns, with no value boxed per row; other fields read `item(_:)`.
public protocol ColumnarRows: Sendable {
    /// The column names, shared by every row.
    var columns: ColumnNames { get }
    /// How many rows there are.
    var count: Int { get }

    /// Writes column `column` of row `row` as `ColumnarRow.writeColumn` does.
    func writeColumn(row: Int, column: Int, as kind: ScalarKind, into writer: inout JSONWriter) -> ColumnWrite

    /// Row `row` as a value, for the fields the executor resolves as usual, and for an executor (GraphQLSwift's)
    /// that takes a list as an array of items.
    func item(_ row: Int) -> any Sendable
}

extension ColumnarRows {
    /// Every row as a value: the list as an array of items.
    public var items: [(any Sendable)?] { (0..<count).map { item($0) } }
}

/// What `ColumnarRow.writeColumn` did.
public enum ColumnWrite: Sendable {
    /// The value is written.
    case written
    /// The value is null; nothing is written (the executor writes `null`, or reports a non-null field's error).
    case null
    /// Nothing is written: the executor reads the value through `KeySubscriptable` and completes it as usual.
    case fallBack
}

/// The built-in scalars the executor writes from native values without their `serialize`.
public enum ScalarKind: Sendable {
    case string, int, float, boolean, id
}

/// The names of a result's columns, in order, and the position of each name (its first, when a name repeats).
public final class ColumnNames: Sendable {
    /// The names, in column order.
    public let names: [String]
    private let positions: [String: Int]

    /// The columns `names`.
    public init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }

    /// The position of the column `name`; nil when there is none.
    public func position(of name: String) -> Int? { positions[name] }
}
