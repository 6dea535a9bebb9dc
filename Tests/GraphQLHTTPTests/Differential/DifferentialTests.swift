import GraphQL
import OrderedCollections
import Logging
import Testing

@testable import GraphQLEngine
@testable import GraphQLHTTP

/// The plan executor against GraphQLSwift's `execute` on generated operations: the same data, and the same errors.
///
/// Where GraphQLSwift 4.3.0 departs from the spec, the comparison allows for it, and nowhere else:
/// - it drops null items from lists (the plan keeps them: nulls are removed from the plan's data before comparing);
/// - errors raised while completing a value (a non-null field that returned null, a value a scalar cannot
///   serialize, an abstract type it cannot resolve) carry no path and no locations (the plan's do: such a
///   reference error is matched on message and code only);
/// - it cannot encode a list of lists, nor some lists whose items all completed to null, and then answers
///   "GraphQL.MapError error 0" instead of any data: those operations are counted, not compared (lists of lists
///   have a test of their own);
/// - where several non-null errors reach the same nullable parent, it keeps the one whose concurrent field failed
///   first, and where one reaches the root it reports only that one: for errors that travelled through non-null
///   positions, only their number is compared (or, at the root, that both nulled `data`);
/// - its `collectFields` copies the set of visited fragments per nested call, so a fragment spread again after a
///   nested spread of it is collected again (the spec skips it): the same fields, but its errors repeat that
///   fragment's locations (compared without the repeats).
@Suite struct DifferentialTests {
    /// Seeds of four runs in parallel (the reference executor is slow in a debug build): 16,000 operations.
    static let seeds: [UInt64] = [20_261_202, 1, 2, 3]
    static let operationsPerSeed = 4_000

    struct Tally {
        var executed = 0
        var rejected = 0
        var referenceAnswered = 0
        var errors = 0
        var propagated = 0
        var referenceCouldNotEncode = 0
    }

    @Test(arguments: seeds) func planAndReferenceAgreeOnGeneratedOperations(seed: UInt64) async throws {
        var limits = QueryLimits()
        limits.maxAliases = 1_000
        limits.maxCost = 1_000_000
        limits.maxRootFields = 100
        let handler = GraphQLHTTPHandler(
            schema: DifferentialSchema.schema,
            resolvers: DifferentialSchema.resolvers,
            configuration: { var configuration = GraphQLHTTPConfiguration(); configuration.limits = limits; return configuration }(),
            logger: Logger(label: "differential")
        )
        var generator = OperationGenerator(seed: seed)
        var tally = Tally()
        var failures: [String] = []
        for index in 0..<Self.operationsPerSeed {
            let operation = generator.operation()
            let problem = await compare(operation, handler: handler, tally: &tally)
            if let problem, failures.count < 5 {
                failures.append("#\(index) \(operation.query)\nvariables: \(operation.variables)\n\(problem)")
            }
        }
        print(
            "differential seed \(seed): \(Self.operationsPerSeed) operations, \(tally.executed) executed by both and "
                + "compared (\(tally.errors) errors, \(tally.propagated) through non-null fields), \(tally.referenceAnswered) "
                + "with refused input answered by the reference, \(tally.rejected) rejected by validation, "
                + "\(tally.referenceCouldNotEncode) the reference could not encode"
        )
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
        #expect(tally.executed >= 2_500)  // four seeds: at least 10,000 compared
    }

    /// nil when both executors agree on `operation`.
    func compare(_ operation: OperationGenerator.Operation, handler: GraphQLHTTPHandler, tally: inout Tally) async -> String? {
        guard case .valid(let document) = handler.documents.document(for: operation.query).outcome else {
            tally.rejected += 1
            return nil
        }
        guard case .success(let definition) = OperationSelection.select(in: document, named: nil),
            case .dictionary(let entries) = try? JSONParser.parse(operation.variables)
        else { return "the generator produced an operation the test cannot run" }
        let variables = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
        let prepared = handler.documents.document(for: operation.query)
        let reference: GraphQLResult
        do {
            reference = try await execute(
                schema: handler.schema,
                documentAST: document,
                rootValue: (),
                context: (),
                variableValues: variables,
                operationName: definition.name?.value
            )
        } catch {
            return "the reference executor threw \(error)"
        }
        guard let planned = await handler.executePlan(prepared, document: document, operation: definition, variables: variables, context: (), rootValue: ()) else {
            tally.referenceAnswered += 1
            return reference.data == nil && !reference.errors.isEmpty ? nil : "the plan refused input the reference executed"
        }
        if reference.data == nil, reference.errors.count == 1, reference.errors[0].message.contains("GraphQL.MapError") {
            tally.referenceCouldNotEncode += 1
            return nil
        }
        tally.executed += 1
        tally.errors += planned.errors.count
        tally.propagated += planned.propagated.filter { $0 }.count

        var referenceData = JSONWriter()
        referenceData.map(reference.data ?? .null)
        guard let planData = try? JSONParser.parse(planned.data, maxDepth: 256) else { return "the plan wrote invalid JSON" }
        var normalizedPlan = JSONWriter()
        normalizedPlan.map(Self.withoutNullListItems(planData))
        guard normalizedPlan.bytes == referenceData.bytes else {
            return "data differs:\n  plan      \(String(decoding: planned.data, as: UTF8.self))\n  reference \(String(decoding: referenceData.bytes, as: UTF8.self))"
                + "\n  reference errors \(reference.errors.map(Self.describe))"
        }
        if reference.data == nil {
            return planned.data == Array("null".utf8) && reference.errors.count == 1 ? nil : "only one executor nulled data"
        }
        var unmatched = reference.errors
        for (error, propagated) in zip(planned.errors, planned.propagated) where !propagated {
            guard let match = unmatched.firstIndex(where: { Self.matches(reference: $0, plan: error) }) else {
                return "plan error \(Self.describe(error)) not in the reference's \(reference.errors.map(Self.describe))"
            }
            unmatched.remove(at: match)
        }
        let propagatedCount = planned.propagated.filter { $0 }.count
        guard unmatched.count == propagatedCount else {
            return "\(propagatedCount) propagated plan errors, \(unmatched.count) left in the reference: \(unmatched.map(Self.describe))"
        }
        return nil
    }

    static func matches(reference: GraphQLError, plan: GraphQLError) -> Bool {
        guard reference.message == plan.message, reference.extensions == plan.extensions else { return false }
        if reference.path.elements.isEmpty { return true }
        return reference.path.elements == plan.path.elements && withoutRepeats(reference.locations) == locations(of: plan)
    }

    static func locations(of error: GraphQLError) -> [GraphQL.SourceLocation] {
        (error.originalError as? ResolverFailure)?.locations ?? error.locations
    }

    static func withoutRepeats(_ locations: [GraphQL.SourceLocation]) -> [GraphQL.SourceLocation] {
        var seen: [GraphQL.SourceLocation] = []
        for location in locations where !seen.contains(location) { seen.append(location) }
        return seen
    }

    /// The plan executor keeps a Swift error's locations in its `ResolverFailure` (the handler shows them with
    /// "Internal server error"); GraphQLSwift's on the error itself.
    static func describe(_ error: GraphQLError) -> String {
        "\(error.message) at \(error.path.elements.map(\.description)) \(locations(of: error).map { "\($0.line):\($0.column)" })"
    }

    static func withoutNullListItems(_ value: Map) -> Map {
        switch value {
        case .array(let items): return .array(items.filter { $0 != .null }.map(withoutNullListItems))
        case .dictionary(let entries): return .dictionary(entries.mapValues(withoutNullListItems))
        default: return value
        }
    }
}
