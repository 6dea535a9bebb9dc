// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine

/// Bounds on what one document may ask for. Each has its own `extensions.code`; all are checked once per distinct
/// document (the result is cached with it).
public struct QueryLimits: Sendable, Equatable {
    /// Tokens in the document, counted before it is parsed. Default 5,000 (`MAX_TOKENS_EXCEEDED`).
    public var maxTokens = 5_000
    /// Field nesting, through fragments and inline fragments. Default 15 (`MAX_DEPTH_EXCEEDED`).
    public var maxDepth = 15
    /// Aliased fields in an operation, fragments counted as often as they are spread. Default 30
    /// (`MAX_ALIASES_EXCEEDED`).
    public var maxAliases = 30
    /// Fields at the top of an operation. Default 20 (`MAX_ROOT_FIELDS_EXCEEDED`).
    public var maxRootFields = 20
    /// Directives on one field. Default 5 (`MAX_DIRECTIVES_EXCEEDED`).
    public var maxDirectivesPerField = 5
    /// Selections (fields, `__typename` included, inline fragments and fragment spreads) in an operation once its
    /// fragments are expanded, each fragment counted as often as it is spread. Default 5,000
    /// (`MAX_SELECTIONS_EXCEEDED`). It bounds the work of collecting fields, which the cost limit does not see for
    /// `__typename` and introspection: a few KB of fragments spreading each other twice per level expand to 2^60.
    public var maxSelections = 5_000
    /// Estimated cost of an operation (see `CostWeights`). Default 10,000 (`MAX_COST_EXCEEDED`): 1,000 objects, or
    /// three nested lists of ten objects with a few fields each.
    public var maxCost = 10_000
    /// How the cost that `maxCost` bounds is estimated.
    public var costWeights = CostWeights()

    /// The production defaults.
    public init() {}

    /// The `extensions.code` each limit refuses a document with.
    public enum Code {
        /// `maxTokens` exceeded.
        public static let tokens = ErrorCode.maxTokensExceeded
        /// `maxDepth` exceeded.
        public static let depth = ErrorCode.maxDepthExceeded
        /// `maxAliases` exceeded.
        public static let aliases = ErrorCode.maxAliasesExceeded
        /// `maxRootFields` exceeded.
        public static let rootFields = ErrorCode.maxRootFieldsExceeded
        /// `maxDirectivesPerField` exceeded.
        public static let directives = ErrorCode.maxDirectivesExceeded
        /// `maxCost` exceeded.
        public static let cost = ErrorCode.maxCostExceeded
        /// `maxSelections` exceeded.
        public static let selections = ErrorCode.maxSelectionsExceeded
        static let all: Set<String> = [tokens, depth, aliases, rootFields, directives, cost, selections, ErrorCode.documentTooDeep]
    }

    /// The limits `document` breaks. It runs before validation: unknown fragments count as empty, and a fragment
    /// cycle (which validation then refuses) is not followed.
    func violations(in document: Document) -> [GraphQLError] {
        var measure = SelectionMeasure(document: document)
        var errors: [GraphQLError] = []
        for operation in document.definitions.compactMap({ $0 as? OperationDefinition }) {
            let size = measure.size(of: operation.selectionSet)
            let label = operation.name.map { "Operation \"\($0.value)\"" } ?? "The operation"
            if size.depth > maxDepth {
                errors.append(violation("\(label) nests fields \(size.depth) deep; the limit is \(maxDepth)", Code.depth, operation))
            }
            if size.aliases > maxAliases {
                errors.append(violation("\(label) has \(size.aliases) aliases; the limit is \(maxAliases)", Code.aliases, operation))
            }
            if size.selections > maxSelections {
                let count = size.selections == Int.max ? "more than \(maxSelections)" : String(size.selections)
                errors.append(
                    violation("\(label) expands to \(count) selections; the limit is \(maxSelections)", Code.selections, operation)
                )
            }
            if size.rootFields > maxRootFields {
                errors.append(
                    violation("\(label) asks for \(size.rootFields) root fields; the limit is \(maxRootFields)", Code.rootFields, operation)
                )
            }
        }
        if measure.mostDirectives > maxDirectivesPerField {
            errors.append(
                GraphQLError(
                    message: "A field has \(measure.mostDirectives) directives; the limit is \(maxDirectivesPerField)",
                    extensions: ["code": .string(Code.directives)]
                )
            )
        }
        return errors
    }

    /// The cost violations of a validated document's operations. With `variables` nil, sizes given by variables
    /// take their defaults, and `dependsOnVariables` says the selected operation must be measured again per request.
    func costViolations(
        in document: Document,
        operations: [OperationDefinition]? = nil,
        fields: SchemaFieldTypes,
        variables: [String: Map]?
    ) -> (errors: [GraphQLError], dependsOnVariables: Bool) {
        var estimate = CostEstimate(document: document, fields: fields, weights: costWeights, variables: variables)
        var errors: [GraphQLError] = []
        for operation in operations ?? document.definitions.compactMap({ $0 as? OperationDefinition }) {
            let cost = estimate.cost(of: operation)
            if cost > maxCost {
                let label = operation.name.map { "Operation \"\($0.value)\"" } ?? "The operation"
                errors.append(
                    GraphQLError.located(
                        "\(label) has an estimated cost of \(cost == Int.max ? "more than \(maxCost)" : String(cost)); the limit is \(maxCost)",
                        at: [operation],
                        extensions: ["code": .string(Code.cost), "cost": .number(Number(cost)), "maxCost": .number(Number(maxCost))]
                    )
                )
            }
        }
        return (errors, estimate.usesVariables)
    }

    private func violation(_ message: String, _ code: String, _ node: OperationDefinition) -> GraphQLError {
        GraphQLError.located(message, at: [node], extensions: ["code": .string(code)])
    }
}

/// Depth, aliases, selections and root fields of selection sets, with each fragment measured once (a fragment spread
/// ten times is counted ten times without being walked ten times, so the measure stays linear in the document).
/// Every count saturates at `Int.max`: the counts grow exponentially with nesting, and an overflow trap would end
/// the worker process.
struct SelectionMeasure {
    struct Size {
        var depth = 0
        var aliases = 0
        var rootFields = 0
        /// Fields, inline fragments and spreads, fragments expanded.
        var selections = 0
    }

    private let fragments: [String: FragmentDefinition]
    private var measured: [String: Size] = [:]
    private(set) var mostDirectives = 0

    init(document: Document) {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        self.fragments = fragments
    }

    /// `depth` counts the fields on the longest path; `rootFields` the fields this set adds at its own level.
    mutating func size(of selectionSet: SelectionSet) -> Size {
        var size = Size()
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                mostDirectives = max(mostDirectives, field.directives.count)
                let child = field.selectionSet.map { self.size(of: $0) } ?? Size()
                size.depth = max(size.depth, saturatingAdd(child.depth, 1))
                size.aliases = saturatingAdd(size.aliases, saturatingAdd(child.aliases, field.alias == nil ? 0 : 1))
                size.rootFields = saturatingAdd(size.rootFields, 1)
                size.selections = saturatingAdd(size.selections, saturatingAdd(child.selections, 1))
            case let inline as InlineFragment:
                merge(self.size(of: inline.selectionSet), into: &size)
                size.selections = saturatingAdd(size.selections, 1)
            case let spread as FragmentSpread:
                merge(fragmentSize(spread.name.value), into: &size)
                size.selections = saturatingAdd(size.selections, 1)
            default:
                break
            }
        }
        return size
    }

    private mutating func fragmentSize(_ name: String) -> Size {
        if let known = measured[name] { return known }
        guard let fragment = fragments[name] else { return Size() }
        measured[name] = Size()  // a cycle reaching this fragment again stops here
        let size = self.size(of: fragment.selectionSet)
        measured[name] = size
        return size
    }

    private func merge(_ inner: Size, into size: inout Size) {
        size.depth = max(size.depth, inner.depth)
        size.aliases = saturatingAdd(size.aliases, inner.aliases)
        size.rootFields = saturatingAdd(size.rootFields, inner.rootFields)
        size.selections = saturatingAdd(size.selections, inner.selections)
    }

    private func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}
