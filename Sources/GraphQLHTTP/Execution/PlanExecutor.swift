// SPDX-License-Identifier: Apache-2.0
import GraphQL

/// Executes an operation plan, writing the response's `data` straight into JSON bytes in selection order.
///
/// The semantics are GraphQLSwift's `execute` (the reference executor; `Tests/GraphQLHTTPTests/Differential*`
/// compares both on generated operations) except where it departs from the spec: null list items are kept, and
/// errors raised while completing a value carry their path and locations.
final class PlanExecutor {
    /// The outcome of one operation: `data` as JSON (`null` when a null reached the root) and the errors.
    struct Output {
        var data: [UInt8]
        var errors: [GraphQLError]
        /// Which errors reached a nullable parent through non-null positions: where several such errors meet,
        /// the reference executor keeps whichever of its concurrent fields failed first, so the differential test
        /// compares only their number.
        var propagated: [Bool]
    }

    /// A null that must replace the nearest nullable parent, with the error that caused it.
    private struct NullPropagation: Error {
        let error: GraphQLError
        /// Still at the value that failed (not yet passed through a non-null position).
        var atOrigin = true
    }

    private let schema: GraphQLSchema
    private let resolvers: Resolvers
    private let context: any Sendable
    private let argumentValues: [Map]
    private var output = JSONWriter(capacity: 512)
    private var errors: [GraphQLError] = []
    private var propagated: [Bool] = []

    private init(schema: GraphQLSchema, resolvers: Resolvers, context: any Sendable, argumentValues: [Map]) {
        self.schema = schema
        self.resolvers = resolvers
        self.context = context
        self.argumentValues = argumentValues
    }

    /// Runs `plan`; nil when the request's variables or arguments are not ones GraphQLSwift would accept, so that
    /// the reference executor answers with its own error (nothing has run by then).
    static func execute(
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
        return Output(data: executor.output.bytes, errors: executor.errors, propagated: executor.propagated)
    }

    private func record(_ error: GraphQLError, propagated: Bool) {
        errors.append(error)
        self.propagated.append(propagated)
    }

    /// The coerced variables for `definitions`, or nil when GraphQLSwift would refuse them.
    static func variables(_ definitions: [VariableDefinition], inputs: [String: Map], schema: GraphQLSchema) -> [String: Map]? {
        if definitions.isEmpty { return [:] }
        return try? InputCoercion.variables(definitions, inputs: inputs, schema: schema)
    }

    // MARK: - Objects and fields

    /// Every field runs, even after one has nulled this object (as the reference executor's concurrent fields all
    /// run): their errors are reported; the first propagating null is passed on.
    private func executeSelection(
        _ selection: SelectionPlan,
        source: any Sendable,
        path: ResponsePath?,
        serially: Bool = false
    ) async throws(NullPropagation) {
        let started = serially || selection.concurrentFields.isEmpty ? [:] : await resolveConcurrently(selection, source: source, path: path)
        output.raw("{")
        var propagated: NullPropagation?
        for (index, field) in selection.fields.enumerated() {
            if index > 0 { output.raw(",") }
            output.append(field.keyJSON)
            do {
                if field.runsSynchronously {
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
    private func resolveConcurrently(
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
    private func executeSelectionNow(_ selection: SelectionPlan, source: any Sendable, path: ResponsePath?) throws(NullPropagation) {
        output.raw("{")
        var propagated: NullPropagation?
        for (index, field) in selection.fields.enumerated() {
            if index > 0 { output.raw(",") }
            output.append(field.keyJSON)
            do {
                try executeFieldNow(field, source: source, parentPath: path)
            } catch {
                if propagated == nil { propagated = error }
            }
        }
        output.raw("}")
        if let propagated { throw propagated }
    }

    /// Runs a field whose resolver may wait or whose value has fields that do.
    private func executeField(
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
        let position = Position(parent: parentPath, element: .key(field.responseKey))
        if field.completesSynchronously {
            try completeNow(field.completion, value: value, field: field, position: position)
        } else {
            try await complete(field.completion, value: value, field: field, position: position)
        }
    }

    /// Runs a field without an `async` call (`runsSynchronously`): most fields of most operations.
    private func executeFieldNow(_ field: FieldPlan, source: any Sendable, parentPath: ResponsePath?) throws(NullPropagation) {
        guard case .some(let value) = try resolveNow(field, source: source, parentPath: parentPath) else { return }
        // The common case first: a built-in scalar's native value.
        if let kind = field.nativeLeaf, let value, writeNative(kind, value) { return }
        try completeNow(field.completion, value: value, field: field, position: Position(parent: parentPath, element: .key(field.responseKey)))
    }

    /// The value of a field without an asynchronous resolver; nil when the field is already written (`__typename`,
    /// or null for a failed resolver).
    private func resolveNow(_ field: FieldPlan, source: any Sendable, parentPath: ResponsePath?) throws(NullPropagation) -> (any Sendable)?? {
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

    private func arguments(of field: FieldPlan) -> Map {
        switch field.arguments {
        case .constant(let constant): constant
        case .perRequest(let index): argumentValues[index]
        }
    }

    /// A resolver threw: null in place of the field, or in place of its parent when the field is non-null.
    private func resolverFailed(_ error: any Error, field: FieldPlan, parentPath: ResponsePath?) throws(NullPropagation) {
        let located = resolverError(error, field: field, position: Position(parent: parentPath, element: .key(field.responseKey)))
        if case .nonNull = field.completion { throw NullPropagation(error: located, atOrigin: false) }
        output.raw("null")
        record(located, propagated: false)
    }

    /// GraphQLSwift's `locatedError`, plus the path and locations a bare `GraphQLError` lacks (see `Resolvers`).
    private func resolverError(_ error: any Error, field: FieldPlan, position: Position) -> GraphQLError {
        guard let graphQLError = error as? GraphQLError else {
            return GraphQLError(
                message: String(describing: error),
                nodes: field.nodes,
                path: position.indexPath,
                originalError: error
            )
        }
        guard graphQLError.path.elements.isEmpty else { return graphQLError }
        return GraphQLError(message: graphQLError.message, nodes: field.nodes, path: position.indexPath, extensions: graphQLError.extensions)
    }

    /// An error raised while completing a value, located at the field.
    private func completionError(_ message: String, field: FieldPlan, position: Position) -> NullPropagation {
        NullPropagation(error: GraphQLError(message: message, nodes: field.nodes, path: position.indexPath))
    }

    // MARK: - Values

    /// Writes `value` as `completion` says; a null in a nullable position is written here, one in a non-null
    /// position is thrown to the parent.
    private func complete(_ completion: Completion, value: (any Sendable)?, field: FieldPlan, position: Position) async throws(NullPropagation) {
        if case .nonNull(let inner) = completion {
            guard let value = value.flatMap(OptionalValue.unwrap) else { throw nonNullViolation(field, position) }
            do {
                try await completeValue(inner, value: value, field: field, position: position)
            } catch {
                throw NullPropagation(error: error.error, atOrigin: false)
            }
            return
        }
        guard let value = value.flatMap(OptionalValue.unwrap) else { return output.raw("null") }
        let mark = output.count
        do {
            try await completeValue(completion, value: value, field: field, position: position)
        } catch {
            nullInstead(error, since: mark)
        }
    }

    private func completeValue(_ completion: Completion, value: any Sendable, field: FieldPlan, position: Position) async throws(NullPropagation) {
        switch completion {
        case .nonNull, .leaf:
            try completeValueNow(completion, value: value, field: field, position: position)
        case .list(let item):
            let items = try listItems(value, field: field, position: position)
            let listPath = position.node
            var propagated: NullPropagation?
            output.raw("[")
            for (index, element) in items.enumerated() {
                if index > 0 { output.raw(",") }
                do {
                    try await complete(item, value: element, field: field, position: Position(parent: listPath, element: .index(index)))
                } catch {
                    if propagated == nil { propagated = error }
                }
            }
            output.raw("]")
            if let propagated { throw propagated }
        case .object(let selection):
            try await executeSelection(selection, source: value, path: position.node)
        case .abstract(let abstract):
            let selection = try runtimeSelection(abstract, value: value, field: field, position: position)
            try await executeSelection(selection, source: value, path: position.node)
        }
    }

    /// `complete` for values whose completion runs no asynchronous resolver (`FieldPlan.completesSynchronously`).
    /// A leaf of a built-in scalar type is tried as its Swift type first: the cast also sees through an `Optional`,
    /// which spares the costlier check for one.
    private func completeNow(_ completion: Completion, value: (any Sendable)?, field: FieldPlan, position: Position) throws(NullPropagation) {
        if case .nonNull(let inner) = completion {
            if case .leaf(let leaf) = inner, let value, writeNative(leaf.kind, value) { return }
            guard let value = value.flatMap(OptionalValue.unwrap) else { throw nonNullViolation(field, position) }
            do {
                try completeValueNow(inner, value: value, field: field, position: position)
            } catch {
                throw NullPropagation(error: error.error, atOrigin: false)
            }
            return
        }
        if case .leaf(let leaf) = completion, let value, writeNative(leaf.kind, value) { return }
        guard let value = value.flatMap(OptionalValue.unwrap) else { return output.raw("null") }
        let mark = output.count
        do {
            try completeValueNow(completion, value: value, field: field, position: position)
        } catch {
            nullInstead(error, since: mark)
        }
    }

    private func completeValueNow(_ completion: Completion, value: any Sendable, field: FieldPlan, position: Position) throws(NullPropagation) {
        switch completion {
        case .nonNull(let inner):
            try completeNow(inner, value: value, field: field, position: position)
        case .leaf(let leaf):
            if writeNative(leaf.kind, value) { return }
            do {
                output.map(try leaf.type.serialize(value: value))
            } catch {
                let message = (error as? GraphQLError)?.message ?? String(describing: error)
                throw completionError(message, field: field, position: position)
            }
        case .list(let item):
            let items = try listItems(value, field: field, position: position)
            let listPath = position.node
            var propagated: NullPropagation?
            output.raw("[")
            for (index, element) in items.enumerated() {
                if index > 0 { output.raw(",") }
                do {
                    try completeNow(item, value: element, field: field, position: Position(parent: listPath, element: .index(index)))
                } catch {
                    if propagated == nil { propagated = error }
                }
            }
            output.raw("]")
            if let propagated { throw propagated }
        case .object(let selection):
            try executeSelectionNow(selection, source: value, path: position.node)
        case .abstract(let abstract):
            let selection = try runtimeSelection(abstract, value: value, field: field, position: position)
            try executeSelectionNow(selection, source: value, path: position.node)
        }
    }

    private func listItems(_ value: any Sendable, field: FieldPlan, position: Position) throws(NullPropagation) -> [(any Sendable)?] {
        guard let items = value as? [(any Sendable)?] else {
            throw completionError(
                "Expected array, but did not find one for field \(field.parentType.name).\(field.fieldName).",
                field: field,
                position: position
            )
        }
        return items
    }

    private func nonNullViolation(_ field: FieldPlan, _ position: Position) -> NullPropagation {
        var violation = completionError(
            "Cannot return null for non-nullable field \(field.parentType.name).\(field.fieldName).",
            field: field,
            position: position
        )
        violation.atOrigin = false
        return violation
    }

    /// A nullable value failed: what was written of it gives way to null, and the error is reported.
    private func nullInstead(_ propagation: NullPropagation, since mark: Int) {
        output.truncate(to: mark)
        output.raw("null")
        record(propagation.error, propagated: !propagation.atOrigin)
    }

    private func runtimeSelection(_ abstract: AbstractPlan, value: any Sendable, field: FieldPlan, position: Position) throws(NullPropagation) -> SelectionPlan {
        let name: String?
        do {
            name = try resolvers.typeName(of: value, abstractType: abstract.type.name, context: context)
        } catch {
            throw NullPropagation(error: resolverError(error, field: field, position: position))
        }
        guard let name else { throw completionError("Could not find a resolve function.", field: field, position: position) }
        if let selection = abstract.selections[name] { return selection }
        let runtimeType = schema.getType(name: name)
        guard let object = runtimeType as? GraphQLObjectType else {
            throw completionError(
                "Abstract type \(abstract.type.name) must resolve to an Object type at runtime for field "
                    + "\(field.parentType.name).\(field.fieldName) with value \"\(TypeResolveResult.name(name))\", "
                    + "received \"\(String(describing: runtimeType))\".",
                field: field,
                position: position
            )
        }
        throw completionError(
            "Runtime Object type \"\(object.name)\" is not a possible type for \"\(abstract.type.name)\".",
            field: field,
            position: position
        )
    }

    /// Writes a built-in scalar's native Swift value exactly as `serialize` and `JSONWriter` would write it; false
    /// for anything else, which goes through the type's `serialize`.
    private func writeNative(_ kind: Leaf.Kind, _ value: any Sendable) -> Bool {
        switch kind {
        case .string:
            guard let string = value as? String else { return false }
            output.string(string)
        case .int:
            guard let integer = value as? Int, Int(Int32.min)...Int(Int32.max) ~= integer else { return false }
            output.integer(integer)
        case .float:
            guard let double = value as? Double, double.isFinite else { return false }
            output.double(double)
        case .boolean:
            guard let bool = value as? Bool else { return false }
            output.raw(bool ? "true" : "false")
        case .other:
            return false
        }
        return true
    }
}

/// Where a value goes in the response: its parent's path and its own key or index. The chain node is allocated
/// only for a value with children, the array form only for an error.
private struct Position {
    let parent: ResponsePath?
    let element: IndexPathValue

    var node: ResponsePath { ResponsePath(parent: parent, element: element) }
    var indexPath: IndexPath { ResponsePath.indexPath(parent, appending: element) }
}
