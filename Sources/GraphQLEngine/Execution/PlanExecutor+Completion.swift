// SPDX-License-Identifier: Apache-2.0
import GraphQL

/// Completing values: nullability, lists, objects, interfaces and unions, leaves.
extension PlanExecutor {
    // MARK: - Values

    /// Writes `value` as `completion` says; a null in a nullable position is written here, one in a non-null
    /// position is thrown to the parent.
    func complete(_ completion: Completion, value: (any Sendable)?, field: FieldPlan, position: ValuePosition) async throws(NullPropagation) {
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

    func completeValue(_ completion: Completion, value: any Sendable, field: FieldPlan, position: ValuePosition) async throws(NullPropagation) {
        switch completion {
        case .nonNull:
            try await complete(completion, value: value, field: field, position: position)
        case .leaf:
            try completeValueNow(completion, value: value, field: field, position: position)
        case .list(let item):
            if item.isSynchronous, let rows = value as? any ColumnarRows, let selection = item.objectSelection {
                return try completeRowsNow(rows, selection: selection, nonNullItems: item.isNonNull, position: position)
            }
            let items = try listItems(value, field: field, position: position)
            let listPath = position.node
            let completed = await completeConcurrently(items, as: item, field: field, path: listPath)
            var propagated: NullPropagation?
            output.raw("[")
            for (index, itemOutput) in completed.enumerated() {
                if index > 0 { output.raw(",") }
                output.append(itemOutput.written.data)
                for (error, travelled) in zip(itemOutput.written.errors, itemOutput.written.propagated) {
                    record(error, propagated: travelled)
                }
                if let itemPropagation = itemOutput.propagation, propagated == nil { propagated = itemPropagation }
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

    /// One list item's completion, written on its own, and the null it passes on to the list, if any.
    struct ItemOutput: Sendable {
        var written: Output
        var propagation: NullPropagation?
    }

    /// Completes the items of a list whose items have asynchronous resolvers below them, each in a child task on
    /// the same worker thread with its own buffer, so that one item waiting does not hold the others back; the
    /// outputs come back in item order.
    func completeConcurrently(_ items: [(any Sendable)?], as item: Completion, field: FieldPlan, path: ResponsePath) async -> [ItemOutput] {
        let (schema, resolvers, context, argumentValues) = (self.schema, self.resolvers, self.context, self.argumentValues)
        return await withTaskGroup(of: (Int, ItemOutput).self) { group in
            for (index, element) in items.enumerated() {
                group.addTask {
                    let executor = PlanExecutor(schema: schema, resolvers: resolvers, context: context, argumentValues: argumentValues)
                    var propagation: NullPropagation?
                    do throws(NullPropagation) {
                        try await executor.complete(item, value: element, field: field, position: ValuePosition(parent: path, element: .index(index)))
                    } catch {
                        propagation = error
                    }
                    return (index, ItemOutput(written: executor.result, propagation: propagation))
                }
            }
            var outputs = [ItemOutput](repeating: ItemOutput(written: Output(data: [], errors: [], propagated: [])), count: items.count)
            for await (index, output) in group { outputs[index] = output }
            return outputs
        }
    }

    /// `complete` for values whose completion runs no asynchronous resolver (`FieldPlan.completesSynchronously`).
    /// A leaf of a built-in scalar type is tried as its Swift type first: the cast also sees through an `Optional`,
    /// which spares the costlier check for one.
    func completeNow(_ completion: Completion, value: (any Sendable)?, field: FieldPlan, position: ValuePosition) throws(NullPropagation) {
        if case .nonNull(let inner) = completion {
            if case .leaf(let leaf) = inner, let kind = leaf.kind, let value, writeNative(kind, value) { return }
            guard let value = value.flatMap(OptionalValue.unwrap) else { throw nonNullViolation(field, position) }
            do {
                try completeValueNow(inner, value: value, field: field, position: position)
            } catch {
                throw NullPropagation(error: error.error, atOrigin: false)
            }
            return
        }
        if case .leaf(let leaf) = completion, let kind = leaf.kind, let value, writeNative(kind, value) { return }
        guard let value = value.flatMap(OptionalValue.unwrap) else { return output.raw("null") }
        let mark = output.count
        do {
            try completeValueNow(completion, value: value, field: field, position: position)
        } catch {
            nullInstead(error, since: mark)
        }
    }

    func completeValueNow(_ completion: Completion, value: any Sendable, field: FieldPlan, position: ValuePosition) throws(NullPropagation) {
        switch completion {
        case .nonNull(let inner):
            try completeNow(inner, value: value, field: field, position: position)
        case .leaf(let leaf):
            if let kind = leaf.kind, writeNative(kind, value) { return }
            do {
                output.map(try leaf.type.serialize(value: value))
            } catch {
                let message = (error as? GraphQLError)?.message ?? String(describing: error)
                throw completionError(message, field: field, position: position)
            }
        case .list(let item):
            if let rows = value as? any ColumnarRows, let selection = item.objectSelection {
                return try completeRowsNow(rows, selection: selection, nonNullItems: item.isNonNull, position: position)
            }
            let items = try listItems(value, field: field, position: position)
            let listPath = position.node
            var propagated: NullPropagation?
            output.raw("[")
            for (index, element) in items.enumerated() {
                if index > 0 { output.raw(",") }
                do {
                    try completeNow(item, value: element, field: field, position: ValuePosition(parent: listPath, element: .index(index)))
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

    /// A list of objects given as `ColumnarRows` whose selection runs synchronously: each row's object written
    /// in turn, as `completeNow` would write each item (a failed nullable item is null, a failed non-null one nulls
    /// the list), with no value per row boxed unless a field needs the row as a value.
    func completeRowsNow(_ rows: any ColumnarRows, selection: SelectionPlan, nonNullItems: Bool, position: ValuePosition) throws(NullPropagation) {
        let positions = columns(named: rows.columns, for: selection)
        let listPath = position.node
        var propagated: NullPropagation?
        // The buffer is moved into a local for the rows' own columns (a class property passed `inout` costs an
        // exclusivity check per access), and back for any field written the usual way.
        var writer = JSONWriter(capacity: 0)
        swap(&writer, &output)
        defer { swap(&writer, &output) }
        writer.raw("[")
        for row in 0..<rows.count {
            if row > 0 { writer.raw(",") }
            let mark = writer.count
            var rowPath: ResponsePath?
            func path() -> ResponsePath {
                if let rowPath { return rowPath }
                let made = ResponsePath(parent: listPath, element: .index(row))
                rowPath = made
                return made
            }
            var item: (any Sendable)?
            var failure: NullPropagation?
            writer.raw("{")
            for (index, field) in selection.fields.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.append(field.keyJSON)
                if let column = positions[index], let kind = field.nativeLeaf {
                    switch rows.writeColumn(row: row, column: column, as: kind, into: &writer) {
                    case .written:
                        continue
                    case .null:
                        if case .nonNull = field.completion {
                            if failure == nil { failure = nonNullViolation(field, field.position(under: path())) }
                        } else {
                            writer.raw("null")
                        }
                        continue
                    case .fallBack:
                        break
                    }
                }
                let source = item ?? rows.item(row)
                item = source
                swap(&writer, &output)
                do {
                    try executeFieldNow(field, source: source, parentPath: path())
                } catch {
                    if failure == nil { failure = error }
                }
                swap(&writer, &output)
            }
            writer.raw("}")
            guard let failure else { continue }
            if nonNullItems {
                if propagated == nil { propagated = NullPropagation(error: failure.error, atOrigin: false) }
            } else {
                writer.truncate(to: mark)
                writer.raw("null")
                record(failure.error, propagated: !failure.atOrigin)
            }
        }
        writer.raw("]")
        if let propagated { throw propagated }
    }

    func listItems(_ value: any Sendable, field: FieldPlan, position: ValuePosition) throws(NullPropagation) -> [(any Sendable)?] {
        if let rows = value as? any ColumnarRows { return rows.items }
        guard let items = value as? [(any Sendable)?] else {
            throw completionError(
                "Expected array, but did not find one for field \(field.parentType.name).\(field.fieldName).",
                field: field,
                position: position
            )
        }
        return items
    }

    func nonNullViolation(_ field: FieldPlan, _ position: ValuePosition) -> NullPropagation {
        var violation = completionError(
            "Cannot return null for non-nullable field \(field.parentType.name).\(field.fieldName).",
            field: field,
            position: position
        )
        violation.atOrigin = false
        return violation
    }

    /// A nullable value failed: what was written of it gives way to null, and the error is reported.
    func nullInstead(_ propagation: NullPropagation, since mark: Int) {
        output.truncate(to: mark)
        output.raw("null")
        record(propagation.error, propagated: !propagation.atOrigin)
    }

    func runtimeSelection(_ abstract: AbstractPlan, value: any Sendable, field: FieldPlan, position: ValuePosition) throws(NullPropagation) -> SelectionPlan {
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
    func writeNative(_ kind: ScalarKind, _ value: any Sendable) -> Bool {
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
        case .id:
            if let string = value as? String {
                output.string(string)
            } else if let integer = value as? Int {
                output.raw("\"")
                output.integer(integer)
                output.raw("\"")
            } else {
                return false
            }
        }
        return true
    }
}
