// SPDX-License-Identifier: Apache-2.0
package import GraphQL

/// Executes an operation plan, writing the response's `data` straight into JSON bytes in selection order.
///
/// The semantics are GraphQLSwift's `execute` (the reference executor; `Tests/GraphQLHTTPTests/Differential*`
/// compares both on generated operations) except where it departs from the spec: null list items are kept,
/// errors raised while completing a value carry their path and locations, and a null reaching `data` keeps every
/// error. Values are completed in `PlanExecutor+Completion.swift`.
package final class PlanExecutor {
    /// The outcome of one operation: `data` as JSON (`null` when a null reached the root) and the errors.
    package struct Output: Sendable {
        package var data: [UInt8]
        package var errors: [GraphQLError]
        /// Which errors reached a nullable parent through non-null positions: where several such errors meet,
        /// the reference executor keeps whichever of its concurrent fields failed first, so the differential test
        /// compares only their number.
        package var propagated: [Bool]
    }

    /// A null that must replace the nearest nullable parent, with the error that caused it.
    struct NullPropagation: Error {
        let error: GraphQLError
        /// Still at the value that failed (not yet passed through a non-null position).
        var atOrigin = true
    }

    let schema: GraphQLSchema
    let resolvers: Resolvers
    let context: any Sendable
    let argumentValues: [Map]
    var output = JSONWriter(capacity: 512)
    var errors: [GraphQLError] = []
    var propagated: [Bool] = []
    /// The columns of the selection's fields in the last `ColumnarRow` result written: the rows of one result
    /// share their `ColumnNames`, so each field's column is looked up once per result.
    var columnPositions: (names: ColumnNames, selection: SelectionPlan, positions: [Int?])?

    init(schema: GraphQLSchema, resolvers: Resolvers, context: any Sendable, argumentValues: [Map]) {
        self.schema = schema
        self.resolvers = resolvers
        self.context = context
        self.argumentValues = argumentValues
    }

    /// Runs `plan`; nil when the request's variables or arguments are not ones GraphQLSwift would accept, so that
    /// the reference executor answers with its own error (nothing has run by then).
    package static func execute(
        _ plan: OperationPlan,
        schema: GraphQLSchema,
        resolvers: Resolvers,
        variables: [String: Map],
        context: any Sendable,
        rootValue: any Sendable
    ) async -> Output? {
        var argumentValues: [Map] = []
        if !plan.variableArgumentFields.isEmpty {
            argumentValues.reserveCapacity(plan.variableArgumentFields.count)
            for field in plan.variableArgumentFields {
                guard let definition = field.definition,
                    let arguments = try? InputCoercion.arguments(definition.args, field.nodes[0].arguments, variables: variables)
                else { return nil }
                argumentValues.append(arguments)
            }
        }
        let executor = PlanExecutor(schema: schema, resolvers: resolvers, context: context, argumentValues: argumentValues)
        do {
            // A mutation's root fields run one after the other, as the spec requires.
            try await executor.executeSelection(plan.root, source: rootValue, path: nil, serially: plan.operation.operation == .mutation)
        } catch {
            executor.output = JSONWriter(capacity: 4)
            executor.output.raw("null")
            executor.record(error.error, propagated: true)
        }
        return executor.result
    }

    /// What was written and reported.
    var result: Output { Output(data: output.bytes, errors: errors, propagated: propagated) }

    func record(_ error: GraphQLError, propagated: Bool) {
        errors.append(error)
        self.propagated.append(propagated)
    }

    /// The coerced variables for `definitions`, or nil when GraphQLSwift would refuse them.
    package static func variables(_ definitions: [VariableDefinition], inputs: [String: Map], schema: GraphQLSchema) -> [String: Map]? {
        if definitions.isEmpty { return [:] }
        return try? InputCoercion.variables(definitions, inputs: inputs, schema: schema)
    }

    // MARK: - Objects and fields

    /// Every field runs, even after one has nulled this object (as the reference executor's concurrent fields all
    /// run): their errors are reported; the first propagating null is passed on.
    func executeSelection(
        _ selection: SelectionPlan,
        source: any Sendable,
        path: ResponsePath?,
        serially: Bool = false
    ) async throws(NullPropagation) {
        let started = serially || selection.concurrentFields.isEmpty ? [:] : await resolveConcurrently(selection, source: source, path: path)
        let row = selection.readsProperties ? source as? any ColumnarRow : nil
        let positions = row.map { columns(of: $0, for: selection) }
        output.raw("{")
        var propagated: NullPropagation?
        for (index, field) in selection.fields.enumerated() {
            if index > 0 { output.raw(",") }
            output.append(field.keyJSON)
            do {
                if let row, let column = positions?[index], try writeColumn(field, of: row, at: column, parentPath: path) {
                    continue
                } else if field.runsSynchronously {
                    try executeFieldNow(field, source: source, parentPath: path)
                } else {
                    try await executeField(field, source: source, parentPath: path, resolved: started[index])
                }
            } catch {
                if propagated == nil { propagated = error }
            }
        }
        output.raw("}")
        if let propagated { throw propagated }
    }

    /// Starts the selection's asynchronous resolvers together (child tasks on the same worker thread), so that one
    /// waiting for Kratos does not hold the others back; the values are completed in selection order afterwards.
    func resolveConcurrently(
        _ selection: SelectionPlan,
        source: any Sendable,
        path: ResponsePath?
    ) async -> [Int: Result<(any Sendable)?, any Error>] {
        let calls = selection.concurrentFields.compactMap { index -> (Int, FieldResolver, Map, FieldInfo)? in
            let field = selection.fields[index]
            guard case .resolver(let resolve) = field.resolution else { return nil }
            return (index, resolve, arguments(of: field), FieldInfo(field: field.description, parentPath: path))
        }
        let context = self.context
        return await withTaskGroup(of: (Int, Result<(any Sendable)?, any Error>).self) { group in
            for (index, resolve, arguments, info) in calls {
                group.addTask {
                    do {
                        return (index, .success(try await resolve(source, arguments, context, info)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [Int: Result<(any Sendable)?, any Error>] = [:]
            for await (index, result) in group { results[index] = result }
            return results
        }
    }

    /// `executeSelection` for a selection whose fields all run synchronously.
    func executeSelectionNow(_ selection: SelectionPlan, source: any Sendable, path: ResponsePath?) throws(NullPropagation) {
        let row = selection.readsProperties ? source as? any ColumnarRow : nil
        let positions = row.map { columns(of: $0, for: selection) }
        output.raw("{")
        var propagated: NullPropagation?
        for (index, field) in selection.fields.enumerated() {
            if index > 0 { output.raw(",") }
            output.append(field.keyJSON)
            do {
                if let row, let column = positions?[index], try writeColumn(field, of: row, at: column, parentPath: path) { continue }
                try executeFieldNow(field, source: source, parentPath: path)
            } catch {
                if propagated == nil { propagated = error }
            }
        }
        output.raw("}")
        if let propagated { throw propagated }
    }

    /// For each field of `selection`, the column of `row` that a field without a resolver of its own and of a
    /// built-in scalar type reads; nil for the other fields.
    func columns(of row: any ColumnarRow, for selection: SelectionPlan) -> [Int?] {
        columns(named: row.columns, for: selection)
    }

    func columns(named names: ColumnNames, for selection: SelectionPlan) -> [Int?] {
        if let cached = columnPositions, cached.names === names, cached.selection === selection { return cached.positions }
        let positions = selection.fields.map { field -> Int? in
            guard case .property = field.resolution, field.nativeLeaf != nil else { return nil }
            return names.position(of: field.fieldName)
        }
        columnPositions = (names, selection, positions)
        return positions
    }

    /// Writes `field` straight from column `column` of `row`; false when the row leaves it to the usual path.
    func writeColumn(_ field: FieldPlan, of row: any ColumnarRow, at column: Int, parentPath: ResponsePath?) throws(NullPropagation) -> Bool {
        guard let kind = field.nativeLeaf else { return false }
        return try written(field, row.writeColumn(column, as: kind, into: &output)) { parentPath }
    }

    /// Whether a column write took the field's place: a null is written, or reported for a non-null field.
    func written(_ field: FieldPlan, _ outcome: ColumnWrite, parentPath: () -> ResponsePath?) throws(NullPropagation) -> Bool {
        switch outcome {
        case .written:
            return true
        case .null:
            if case .nonNull = field.completion { throw nonNullViolation(field, field.position(under: parentPath())) }
            output.raw("null")
            return true
        case .fallBack:
            return false
        }
    }

    /// Runs a field whose resolver may wait or whose value has fields that do.
    func executeField(
        _ field: FieldPlan,
        source: any Sendable,
        parentPath: ResponsePath?,
        resolved: Result<(any Sendable)?, any Error>? = nil
    ) async throws(NullPropagation) {
        let value: (any Sendable)?
        if case .resolver(let resolve) = field.resolution {
            do {
                if let resolved {
                    value = try resolved.get()
                } else {
                    value = try await resolve(source, arguments(of: field), context, FieldInfo(field: field.description, parentPath: parentPath))
                }
            } catch {
                return try resolverFailed(error, field: field, parentPath: parentPath)
            }
        } else {
            guard case .some(let resolved) = try resolveNow(field, source: source, parentPath: parentPath) else { return }
            value = resolved
        }
        if let kind = field.nativeLeaf, let value, writeNative(kind, value) { return }
        let position = field.position(under: parentPath)
        if field.completesSynchronously {
            try completeNow(field.completion, value: value, field: field, position: position)
        } else {
            try await complete(field.completion, value: value, field: field, position: position)
        }
    }

    /// Runs a field without an `async` call (`runsSynchronously`): most fields of most operations.
    func executeFieldNow(_ field: FieldPlan, source: any Sendable, parentPath: ResponsePath?) throws(NullPropagation) {
        guard case .some(let value) = try resolveNow(field, source: source, parentPath: parentPath) else { return }
        // The common case first: a built-in scalar's native value.
        if let kind = field.nativeLeaf, let value, writeNative(kind, value) { return }
        try completeNow(field.completion, value: value, field: field, position: field.position(under: parentPath))
    }

    /// The value of a field without an asynchronous resolver; nil when the field is already written (`__typename`,
    /// or null for a failed resolver).
    func resolveNow(_ field: FieldPlan, source: any Sendable, parentPath: ResponsePath?) throws(NullPropagation) -> (any Sendable)?? {
        switch field.resolution {
        case .typeName:
            output.string(field.parentType.name)
            return nil
        case .property:
            return .some(DefaultResolver.value(named: field.fieldName, in: source))
        case .synchronous(let resolve):
            do {
                return .some(try resolve(source, arguments(of: field), context, FieldInfo(field: field.description, parentPath: parentPath)))
            } catch {
                try resolverFailed(error, field: field, parentPath: parentPath)
                return nil
            }
        case .resolver:
            preconditionFailure("an asynchronous resolver runs in executeField")
        }
    }

    func arguments(of field: FieldPlan) -> Map {
        switch field.arguments {
        case .constant(let constant): constant
        case .perRequest(let index): argumentValues[index]
        }
    }

    /// A resolver threw: null in place of the field, or in place of its parent when the field is non-null.
    func resolverFailed(_ error: any Error, field: FieldPlan, parentPath: ResponsePath?) throws(NullPropagation) {
        let located = resolverError(error, field: field, position: field.position(under: parentPath))
        if case .nonNull = field.completion { throw NullPropagation(error: located, atOrigin: false) }
        output.raw("null")
        record(located, propagated: false)
    }

    /// GraphQLSwift's `locatedError`, plus the path and locations a bare `GraphQLError` lacks (see `Resolvers`).
    func resolverError(_ error: any Error, field: FieldPlan, position: ValuePosition) -> GraphQLError {
        guard let graphQLError = error as? GraphQLError else {
            let failure = ResolverFailure(underlying: error, locations: field.nodes.compactMap(\.sourceLocation))
            return GraphQLError(message: String(describing: error), path: position.indexPath, originalError: failure)
        }
        guard graphQLError.path.elements.isEmpty else { return graphQLError }
        return .located(graphQLError.message, at: field.nodes, path: position.indexPath, extensions: graphQLError.extensions)
    }

    /// An error raised while completing a value, located at the field.
    func completionError(_ message: String, field: FieldPlan, position: ValuePosition) -> NullPropagation {
        NullPropagation(error: .located(message, at: field.nodes, path: position.indexPath))
    }
}

/// Where a value goes in the response: its parent's path and its own key or index. The chain node is allocated
/// only for a value with children, the array form only for an error.
struct ValuePosition {
    let parent: ResponsePath?
    let element: IndexPathValue

    var node: ResponsePath { ResponsePath(parent: parent, element: element) }
    var indexPath: IndexPath { ResponsePath.indexPath(parent, appending: element) }
}
