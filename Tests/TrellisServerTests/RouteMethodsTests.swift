import HTTPTypes
import Testing

@testable import TrellisHTTP

/// The tree that tells a 404 from a 405 before any system runs.
struct RouteMethodsTests {
    private let methods: RouteMethods = {
        var methods = RouteMethods()
        methods.add("/", methods: [.get])
        methods.add("/items", methods: [.get, .post])
        methods.add("/items/{id}", methods: [.get, .put, .delete])
        methods.add("/items/new", methods: [.post])
        methods.add("/proxy/**", methods: [.get])
        methods.add("/proxy/**", methods: [.post])
        methods.add("/users/{id}/posts/{post}", methods: [.patch])
        return methods
    }()

    @Test func literalAndParameterPatternsAreUnitedInTheOrderTheyWereAdded() {
        #expect(methods.methods(at: "/items/new") == [.get, .put, .delete, .post])
        #expect(methods.methods(at: "/items/42") == [.get, .put, .delete])
        #expect(methods.methods(at: "/items") == [.get, .post])
        #expect(methods.methods(at: "/") == [.get])
        #expect(methods.methods(at: "/users/7/posts/8") == [.patch])
    }

    @Test func emptySegmentsAndATrailingSlashAreIgnored() {
        #expect(methods.methods(at: "/items/") == [.get, .post])
        #expect(methods.methods(at: "//items//42") == [.get, .put, .delete])
        #expect(methods.methods(at: "") == [.get])
    }

    @Test func aRecursiveWildcardNeedsAtLeastOneMoreSegment() {
        #expect(methods.methods(at: "/proxy") == [])
        #expect(methods.methods(at: "/proxy/a") == [.get, .post])
        #expect(methods.methods(at: "/proxy/a/b/c") == [.get, .post])
    }

    @Test func pathsNothingServesHaveNoMethods() {
        #expect(methods.methods(at: "/nothing") == [])
        #expect(methods.methods(at: "/items/42/more") == [])
        #expect(methods.methods(at: "/users/7/posts") == [])
    }

    @Test func allowsAnswersForOneMethodWithHeadServedWhereGetIs() {
        #expect(methods.allows(.get, at: "/items/42"))
        #expect(methods.allows(.head, at: "/items/42"))
        #expect(methods.allows(.post, at: "/items/new"))
        #expect(!methods.allows(.post, at: "/items/42"))
        #expect(methods.allows(.head, at: "/items/new"))
        #expect(!methods.allows(.get, at: "/nothing"))
        #expect(!methods.allows(.head, at: "/users/7/posts/8"))
    }
}

/// The access log's `duration_ms`, written without Foundation's formatter.
struct AccessLogDurationTests {
    @Test func millisecondsHaveThreeDecimalsRoundedToTheNearestMicrosecond() {
        #expect(TrellisResponder.milliseconds(.microseconds(42)) == "0.042")
        #expect(TrellisResponder.milliseconds(.nanoseconds(1_234_567)) == "1.235")
        #expect(TrellisResponder.milliseconds(.nanoseconds(1_234_499)) == "1.234")
        #expect(TrellisResponder.milliseconds(.nanoseconds(499)) == "0.000")
        #expect(TrellisResponder.milliseconds(.nanoseconds(500)) == "0.001")
        #expect(TrellisResponder.milliseconds(.seconds(2)) == "2000.000")
        #expect(TrellisResponder.milliseconds(.milliseconds(61_010)) == "61010.000")
        #expect(TrellisResponder.milliseconds(.zero) == "0.000")
    }
}
