import Testing

@testable import HTTPData

@Suite struct HTTPURLTemplateTests {
    @Test func placeholdersAreArgumentsParentFieldsAndTheIdentity() throws {
        let template = try HTTPURLTemplate("https://Catalog.Internal:8443/items/{id}?owner={parent.ownerId}&who={identity}&again={id}")
        #expect(template.scheme == "https" && template.authority == "catalog.internal:8443")
        #expect(template.sources == [.argument("id"), .parent("ownerId"), .identity])
        let url = template.render { source in
            switch source {
            case .argument: "a/b?c&d=#é"
            case .parent: ".."
            case .identity: "x y"
            }
        }
        #expect(url == "https://Catalog.Internal:8443/items/a%2Fb%3Fc%26d%3D%23%C3%A9?owner=%2E%2E&who=x%20y&again=a%2Fb%3Fc%26d%3D%23%C3%A9")
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
        #expect((header.authority, header.name, header.value) == ("catalog.internal:8443", "Authorization", "Bearer s3cret"))
        #expect(HTTPUpstreamHeader("svc Bad Name: x") == nil)
        #expect(HTTPUpstreamHeader("svc X-Key: a\r\nHost: evil") == nil)
        #expect(HTTPUpstreamHeader("svc X-Key") == nil)
        #expect(HTTPUpstreamHeader(" X-Key: v") == nil)
    }
}
