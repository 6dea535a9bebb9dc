// SPDX-License-Identifier: Apache-2.0
import GraphQLFCGI

// The shipped server: the seed's `hello` and the account fields, on the SDL the configuration names.
GraphQLFCGI.main(resolvers: .builtIn)
