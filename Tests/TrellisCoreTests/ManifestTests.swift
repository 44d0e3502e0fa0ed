import Testing
import TrellisCore
import TrellisJSON

@Suite("Manifests are checked when the set is assembled")
struct ManifestTests {
    private func problems(_ manifests: [SystemManifest], kernelAPIVersion: SemanticVersion = Kernel.apiVersion) -> [BootProblem] {
        do {
            _ = try BootPlan.make(manifests: manifests, kernelAPIVersion: kernelAPIVersion)
            return []
        } catch {
            return error.problems
        }
    }

    @Test("a well-formed manifest passes")
    func wellFormed() throws {
        let manifest = SystemManifest(
            id: "mailer_2", version: "2.1.0-beta.1+build.7", summary: "Sends mail", emits: ["mail.sent"],
            listens: ["user.*", "*", "user.created"],
            configSchema: ["type": "object", "properties": ["port": ["type": "integer"]]], defaults: ["port": 25])
        let plan = try BootPlan.make(manifests: [manifest])
        #expect(plan.order == ["mailer_2"])
    }

    @Test(
        "an id that is not snake_case is refused",
        arguments: ["Mailer", "2fa", "_mailer", "mail-er", "mail.er", "", "mailé"])
    func badID(id: String) {
        let found = problems([.test(id)])
        #expect(found.map(\.code) == [.invalidManifest])
        #expect(
            found.map(\.message) == [
                "\(id): the id must match ^[a-z][a-z0-9_]*$ (lowercase letters, digits and underscores, starting with a letter)"
            ])
    }

    @Test("a version that is not semver is refused", arguments: ["1.0", "1.0.0.0", "01.0.0", "v1.0.0", "1.0.0-", "", "1.a.0"])
    func badVersion(version: String) {
        var manifest = SystemManifest.test("mailer")
        manifest.version = version
        #expect(
            problems([manifest]).map(\.message) == [
                "mailer: version '\(version)' is not a semantic version (MAJOR.MINOR.PATCH)"
            ])
    }

    @Test("an apiVersion that is not semver is refused")
    func badAPIVersion() {
        var manifest = SystemManifest.test("mailer")
        manifest.apiVersion = "one"
        #expect(
            problems([manifest]).map(\.message) == ["mailer: apiVersion 'one' is not a semantic version (MAJOR.MINOR.PATCH)"])
    }

    @Test(
        "apiVersion: same major and a minor not above the kernel's",
        arguments: [
            ("1.2.0", true), ("1.0.0", true), ("1.2.9", true), ("1.3.0", false), ("2.0.0", false), ("0.9.0", false),
        ])
    func apiCompatibility(apiVersion: String, accepted: Bool) {
        var manifest = SystemManifest.test("mailer")
        manifest.apiVersion = apiVersion
        let found = problems([manifest], kernelAPIVersion: SemanticVersion(1, 2, 0))
        if accepted {
            #expect(found.isEmpty)
        } else {
            #expect(found.map(\.code) == [.incompatibleAPIVersion])
            #expect(
                found.map(\.message) == [
                    "mailer targets kernel plugin API \(apiVersion), but this kernel implements 1.2.0: a system must target the same major version and a minor version no higher than the kernel's"
                ])
        }
    }

    @Test("a manifest targets this kernel's API by default")
    func defaultAPIVersion() throws {
        #expect(SystemManifest.test("mailer").apiVersion == Kernel.apiVersion.description)
        _ = try BootPlan.make(manifests: [.test("mailer")])
    }

    @Test("bad emitted names and listened patterns are refused, each named")
    func badEventNames() {
        let manifest = SystemManifest.test(
            "mailer", emits: ["mail.sent", "MailSent", "mail"], listens: ["user.*", "user.*.created", "*.created", "user*"])
        #expect(
            problems([manifest]).map(\.message) == [
                "mailer: emitted event name 'MailSent' is invalid: use lowercase dotted names like 'user.created'",
                "mailer: emitted event name 'mail' is invalid: use lowercase dotted names like 'user.created'",
                "mailer: listened event pattern 'user.*.created' is invalid: use a name like 'user.created', 'user.*' or '*'",
                "mailer: listened event pattern '*.created' is invalid: use a name like 'user.created', 'user.*' or '*'",
                "mailer: listened event pattern 'user*' is invalid: use a name like 'user.created', 'user.*' or '*'",
            ])
    }

    @Test("a system cannot depend on itself")
    func selfDependency() {
        #expect(
            problems([.test("mailer", requires: ["mailer"])]).map(\.message) == ["mailer: a system cannot depend on itself"])
    }

    @Test("defaults must satisfy the manifest's own schema")
    func invalidDefaults() {
        let manifest = SystemManifest.test(
            "mailer", configSchema: ["type": "object", "properties": ["port": ["type": "integer", "maximum": 65535]]],
            defaults: ["port": 70000])
        #expect(
            problems([manifest]).map(\.message) == [
                "mailer: default config is invalid against its own schema: /port: 70000 is greater than the maximum of 65535"
            ])
    }

    @Test("a config schema that does not compile is refused")
    func schemaDoesNotCompile() throws {
        let found = problems([.test("mailer", configSchema: ["type": "integr"])])
        #expect(found.map(\.code) == [.invalidManifest])
        let message = try #require(found.first?.message)
        #expect(message.hasPrefix("mailer: config schema does not compile: "))
    }

    @Test("duplicate ids are refused, once per id")
    func duplicateIDs() {
        let found = problems([.test("mailer"), .test("jobs"), .test("mailer"), .test("mailer")])
        #expect(found.map(\.code) == [.duplicateSystem])
        #expect(found.map(\.message) == ["system id 'mailer' is used by 3 systems; ids must be unique"])
    }

    @Test("the kernel refuses malformed and duplicate systems before anything starts")
    func kernelRefusesAtAssembly() async {
        let log = HookLog()
        let error = await bootError {
            _ = try makeKernel([
                TestSystem(.test("jobs"), log: log), TestSystem(.test("jobs"), log: log), TestSystem(.test("Bad"), log: log),
            ])
        }
        #expect(
            error?.description == """
                Trellis cannot boot (2 problems):
                  - system id 'jobs' is used by 2 systems; ids must be unique
                  - Bad: the id must match ^[a-z][a-z0-9_]*$ (lowercase letters, digits and underscores, starting with a letter)
                """)
        // register may run (it only declares); nothing may boot or start.
        #expect(log.all.allSatisfy { $0.hasSuffix(".register") })
    }
}

@Suite("Semantic versions")
struct SemanticVersionTests {
    @Test("parses MAJOR.MINOR.PATCH with prerelease and build")
    func parses() throws {
        let version = try #require(SemanticVersion("2.10.3-rc.1+sha.abc"))
        #expect(version == SemanticVersion(2, 10, 3, prerelease: "rc.1"))
        #expect(version.description == "2.10.3-rc.1")
        #expect(SemanticVersion("0.0.0") == SemanticVersion(0, 0, 0))
    }

    @Test("rejects what is not semver", arguments: ["1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "-1.2.3", "1.2.3-", "a.b.c", " 1.2.3"])
    func rejects(text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test("orders by major, minor, patch; a prerelease before its release")
    func orders() {
        let versions = ["1.10.0", "1.2.0", "1.2.0-beta", "0.9.9", "2.0.0", "1.2.1"].compactMap(SemanticVersion.init)
        #expect(versions.sorted().map(\.description) == ["0.9.9", "1.2.0-beta", "1.2.0", "1.2.1", "1.10.0", "2.0.0"])
    }
}
