// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine

/// GraphQLSwift's validation, with the work of an invalid document bounded.
///
/// Each error GraphQLSwift's rules raise finds its line by scanning the whole document with a regular expression
/// (see `GraphQLError.located`), and its rules raise one error per offending node: 1,500 unknown arguments padded
/// to 1 MB by a comment cost a worker 7 seconds. A document small enough that even an error per token stays within
/// `locationBudget` (about 10 ms of scanning) is validated as it is. A larger one is first validated as a copy
/// parsed without locations, where an error costs its message only: a valid document is done then; an invalid one
/// is validated again with locations only while errors × document size stays within the budget, and beyond it its
/// errors go without locations, which the spec allows. Like graphql-js, at most `maxErrors` are reported, followed
/// by one saying validation stopped.
enum DocumentValidation {
    /// The errors reported for one document; graphql-js' default.
    static let maxErrors = 100
    /// UTF-16 units GraphQLSwift may scan to locate the errors of one document.
    static let locationBudget = 2_000_000

    /// The errors of `document`, parsed from `query` (`tokens` long).
    static func errors(
        of document: Document,
        query: String,
        tokens: Int,
        schema: GraphQLSchema,
        rules: [@Sendable (ValidationContext) -> Visitor]
    ) -> [GraphQLError] {
        let length = query.utf16.count
        guard !withinBudget(errors: tokens, length: length), let unlocated = try? parse(source: query, noLocation: true) else {
            return validate(schema: schema, ast: document, rules: rules).capped
        }
        let errors = validate(schema: schema, ast: unlocated, rules: rules)
        guard !errors.isEmpty else { return [] }
        guard withinBudget(errors: errors.count, length: length) else { return errors.capped }
        return validate(schema: schema, ast: document, rules: rules).capped
    }

    private static func withinBudget(errors: Int, length: Int) -> Bool {
        let scanned = errors.multipliedReportingOverflow(by: length)
        return !scanned.overflow && scanned.partialValue <= locationBudget
    }
}

extension [GraphQLError] {
    /// The first `DocumentValidation.maxErrors`, and a last one saying the others were not reported.
    fileprivate var capped: [GraphQLError] {
        guard count > DocumentValidation.maxErrors else { return self }
        return prefix(DocumentValidation.maxErrors)
            + [GraphQLError(message: "Too many validation errors, error limit reached. Validation aborted.")]
    }
}
