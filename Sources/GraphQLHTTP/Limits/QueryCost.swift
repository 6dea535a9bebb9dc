// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// What an operation may cost to answer, estimated from the document before anything runs.
///
/// Each field costs its weight (1 for a scalar or enum, 2 for an object, interface or union, whose resolver usually
/// fetches something) plus what is selected under it; a list multiplies that by its size: the value of its
/// `first`, `last`, `limit`, `pageSize` or `take` argument when it has one, else `defaultListSize`. Lists of lists
/// multiply once per level. `__typename` costs what a scalar does; introspection (`__schema`, `__type`) is left to
/// its own switch (its size is the schema's) and to the selection limit.
public struct CostWeights: Sendable, Equatable {
    /// Cost of a scalar or enum field, and of `__typename`. Default 1.
    public var scalar = 1
    /// Cost of an object, interface or union field, before what is selected under it. Default 2.
    public var object = 2
    /// The assumed size of a list without a size argument. Default 10.
    public var defaultListSize = 10
    /// Arguments that bound how many items a list field returns.
    public var sizeArguments: Set<String> = ["first", "last", "limit", "pageSize", "take"]

    /// The production defaults.
    public init() {}
}

/// The output types of every field of a schema, looked up by name (GraphQLSwift rebuilds a type's field map on
/// each call of `fields()`, too slow per selection).
final class SchemaFieldTypes: Sendable {
    private let types: [String: [String: any GraphQLOutputType]]
    let queryType: String?
    let mutationType: String?
    let subscriptionType: String?

    init(schema: GraphQLSchema) {
        var types: [String: [String: any GraphQLOutputType]] = [:]
        for (name, type) in schema.typeMap {
            let fields: GraphQLFieldMap?
            switch type {
            case let object as GraphQLObjectType: fields = try? object.fields()
            case let interface as GraphQLInterfaceType: fields = try? interface.fields()
            default: fields = nil
            }
            if let fields {
                types[name] = Dictionary(uniqueKeysWithValues: fields.elements.map { ($0.key, $0.value.type) })
            }
        }
        self.types = types
        queryType = schema.queryType?.name
        mutationType = schema.mutationType?.name
        subscriptionType = schema.subscriptionType?.name
    }

    func type(of field: String, in typeName: String) -> (any GraphQLOutputType)? { types[typeName]?[field] }
}

/// One cost computation over a validated document. With `variables` nil (when the document is prepared) a size
/// argument given by a variable takes the variable's default, or `defaultListSize`, and `usesVariables` tells the
/// caller to compute again with the request's variables.
struct CostEstimate {
    private let fields: SchemaFieldTypes
    private let weights: CostWeights
    private let fragments: [String: FragmentDefinition]
    private var variables: [String: Map]?
    private var variableDefaults: [String: Int] = [:]
    private var fragmentCosts: [String: Int] = [:]
    private(set) var usesVariables = false

    init(document: Document, fields: SchemaFieldTypes, weights: CostWeights, variables: [String: Map]?) {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        self.fragments = fragments
        self.fields = fields
        self.weights = weights
        self.variables = variables
    }

    mutating func cost(of operation: OperationDefinition) -> Int {
        let root: String? =
            switch operation.operation {
            case .query: fields.queryType
            case .mutation: fields.mutationType
            case .subscription: fields.subscriptionType
            }
        guard let root else { return 0 }
        variableDefaults = [:]
        for definition in operation.variableDefinitions {
            if let value = definition.defaultValue as? IntValue, let size = Int(value.value) {
                variableDefaults[definition.variable.name.value] = max(0, size)
            }
        }
        fragmentCosts = [:]
        return cost(of: operation.selectionSet, on: root)
    }

    private mutating func cost(of selectionSet: SelectionSet, on typeName: String) -> Int {
        var total = 0
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                total = add(total, cost(of: field, on: typeName))
            case let inline as InlineFragment:
                total = add(total, cost(of: inline.selectionSet, on: inline.typeCondition?.name.value ?? typeName))
            case let spread as FragmentSpread:
                total = add(total, fragmentCost(spread.name.value))
            default:
                break
            }
        }
        return total
    }

    private mutating func fragmentCost(_ name: String) -> Int {
        if let known = fragmentCosts[name] { return known }
        guard let fragment = fragments[name] else { return 0 }
        fragmentCosts[name] = 0  // validation refuses cycles; this only keeps a walk finite
        let cost = cost(of: fragment.selectionSet, on: fragment.typeCondition.name.value)
        fragmentCosts[name] = cost
        return cost
    }

    private mutating func cost(of field: Field, on typeName: String) -> Int {
        let name = field.name.value
        if name == "__typename" { return weights.scalar }
        if name.hasPrefix("__") { return 0 }
        // Unions have no fields of their own (only `__typename`); unknown names cannot pass validation.
        guard var type: any GraphQLType = fields.type(of: name, in: typeName) else { return 0 }
        var multiplier = 1
        var firstList = true
        while true {
            if let nonNull = type as? GraphQLNonNull {
                type = nonNull.ofType
            } else if let list = type as? GraphQLList {
                multiplier = multiply(multiplier, firstList ? listSize(field) : weights.defaultListSize)
                firstList = false
                type = list.ofType
            } else {
                break
            }
        }
        guard let named = type as? any GraphQLNamedType else { return 0 }
        let own: Int
        if let selectionSet = field.selectionSet {
            own = add(weights.object, cost(of: selectionSet, on: named.name))
        } else {
            own = weights.scalar
        }
        return multiply(multiplier, own)
    }

    private mutating func listSize(_ field: Field) -> Int {
        for argument in field.arguments where weights.sizeArguments.contains(argument.name.value) {
            switch argument.value {
            case let literal as IntValue:
                return max(0, Int(literal.value) ?? Int.max)
            case let variable as Variable:
                usesVariables = true
                let name = variable.name.value
                if let variables {
                    if case .number(let number)? = variables[name] {
                        let value = number.doubleValue
                        if value.isNaN { return weights.defaultListSize }
                        // Clamped before converting: `Int(-1e300)` traps.
                        if value <= 0 { return 0 }
                        return value >= Double(Int.max) ? Int.max : Int(value)
                    }
                    if let given = variables[name], given != .null { return weights.defaultListSize }
                }
                return variableDefaults[name] ?? weights.defaultListSize
            default:
                return weights.defaultListSize
            }
        }
        return weights.defaultListSize
    }

    private func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    private func multiply(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }
}
