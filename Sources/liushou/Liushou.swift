import ArgumentParser

/// `liushou`: the Liushou server and its administration commands.
@main
struct Liushou: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liushou",
        abstract: "Liushou 三留守 care platform: server and administration.",
        subcommands: [Serve.self, Migrate.self, Bootstrap.self, Admin.self, Audit.self, Import.self, Demo.self, Keys.self],
        defaultSubcommand: Serve.self
    )
}
