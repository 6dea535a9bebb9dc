import Testing

@testable import HTTPData

@Suite struct HTTPURLTemplateTests {
    @Test func placeholdersAreArgumentsParentFieldsAndTheIdentity() throws {
        let template = try HTTPURLTemplate("https://Catalog.Internal:8443/items/{id}?owner={parent.ownerId}&who={identity}&again={id}")
        #expect(template.scheme == "https" && template.authority == "catalog.internal:8443")
        #expect(template.sources == [.argument("id"), .parent("ownerId"), .identity])
        #expect((template.host, template.port) == ("catalog.internal", 8443))
        let url = try template.render { source in
            switch source {
            case .argument: "a?c&d=#é"
            case .parent: ".."
            case .identity: "x/y"
            }
        }
        #expect(url == "https://Catalog.Internal:8443/items/a%3Fc%26d%3D%23%C3%A9?owner=%2E%2E&who=x%2Fy&again=a%3Fc%26d%3D%23%C3%A9")
    }

    @Test func aPathValueIsOneSegmentEvenToAServerThatDecodesItAndNoneIsNoCall() throws {
        let template = try HTTPURLTemplate("http://svc/users/{id}/orders?q={q}")
        for id in ["", ".", "..", "../admin", "a/b", "a\\b", "50%"] {
            #expect(throws: HTTPURLTemplate.Refusal.notOneSegment(.argument("id")), "\(id)") {
                try template.render { $0 == .argument("id") ? id : "x" }
            }
        }
        #expect(throws: HTTPURLTemplate.Refusal.noValue(.argument("q"))) { try template.render { $0 == .argument("id") ? "7" : nil } }
        #expect(try template.render { $0 == .argument("id") ? "7" : "../a/b%" } == "http://svc/users/7/orders?q=%2E%2E%2Fa%2Fb%25")
    }

    @Test func noValueChoosesTheServer() {
        for url in ["http://{host}/x", "http://svc{n}.internal/x", "http://svc.internal:{port}/x", "http://user:{password}@svc/x", "http://svc.internal{path}"] {
            #expect(throws: HTTPURLTemplate.Problem.self, "\(url)") { try HTTPURLTemplate(url) }
        }
    }

    @Test func otherURLsAreRefused() {
        for url in ["ftp://svc/x", "svc.internal/x", "http:///x", "http://svc/x/{", "http://svc/x/}", "http://svc/{a b}", "http://svc/{1x}", "http://svc/ x"] {
            #expect(throws: HTTPURLTemplate.Problem.self, "\(url)") { try HTTPURLTemplate(url) }
        }
    }

    @Test func headersAreForOneHostAndCarryNoLineBreak() throws {
        let header = try #require(HTTPUpstreamHeader("Catalog.Internal:8443 Authorization:  Bearer s3cret "))
        #expect((header.host, header.port, header.name, header.value) == ("catalog.internal", 8443, "Authorization", "Bearer s3cret"))
        #expect(header.applies(to: try HTTPURLTemplate("https://catalog.internal:8443/x")))
        #expect(!header.applies(to: try HTTPURLTemplate("https://catalog.internal/x")))
        let anyScheme = try #require(HTTPUpstreamHeader("catalog.internal X-Key: k"))
        #expect(anyScheme.applies(to: try HTTPURLTemplate("https://catalog.internal/x")))
        #expect(anyScheme.applies(to: try HTTPURLTemplate("http://catalog.internal:80/x")))
        #expect(!anyScheme.applies(to: try HTTPURLTemplate("http://catalog.internal:8080/x")))
        #expect(!anyScheme.applies(to: try HTTPURLTemplate("https://catalog.internal.evil/x")))
        #expect(HTTPUpstreamHeader("svc:99999 X-Key: v") == nil)
        #expect(HTTPUpstreamHeader("svc Bad Name: x") == nil)
        #expect(HTTPUpstreamHeader("svc X-Key: a\r\nHost: evil") == nil)
        #expect(HTTPUpstreamHeader("svc X-Key") == nil)
        #expect(HTTPUpstreamHeader(" X-Key: v") == nil)
    }
}
