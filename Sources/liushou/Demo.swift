import ArgumentParser
import LiushouServer

/// `liushou demo seed`: seeds the demo county into an existing database (as `serve --demo` does).
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The demo county.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seed the demo county (once; nothing when present) and print its logins.",
            discussion: "Writes through the server's own routes as each demo login; progress on standard error."
        )

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (configuration, logger) = try self.common.configured()
            try await seedDemo(configuration, logger: logger)
        }
    }
}
