import Foundation
import PackagePlugin

/// Embeds the package's `sql/*.sql` migrations into the target as generated Swift,
/// so an installed `parkctl` carries its schema wherever it runs, while `sql/`
/// stays the only place the schema is written.
@main
struct EmbedSQLPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let sqlDirectory = context.package.directoryURL.appending(path: "sql")
        let files = try FileManager.default
            .contentsOfDirectory(at: sqlDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding the SQL migrations of sql/",
                executable: try context.tool(named: "SQLEmbed").url,
                // The tool lists the folder itself: SwiftPM caches this command, so a
                // file added to sql/ must not depend on this list being recomputed.
                // The folder is an input too, so that adding a file reruns the tool.
                arguments: [output.path, sqlDirectory.path],
                inputFiles: [sqlDirectory] + files,
                outputFiles: [output]
            ),
        ]
    }
}
