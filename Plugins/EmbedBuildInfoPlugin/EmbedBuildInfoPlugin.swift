import Foundation
import PackagePlugin

/// Embeds the commit the package was built from (`BuildInfo.commit`), so that
/// `parkctl --version` names it wherever the binary is installed.
@main
struct EmbedBuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let gitDirectory = Self.gitDirectory(of: context.package.directoryURL)
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildInfo.swift")
        // The files a commit or checkout changes: HEAD, the branch it names, packed-refs.
        // They are the command's inputs, so that a new commit reruns it.
        var inputs = [gitDirectory.appending(path: "HEAD"), gitDirectory.appending(path: "packed-refs")]
        if let head = try? String(contentsOf: gitDirectory.appending(path: "HEAD"), encoding: .utf8),
           head.hasPrefix("ref: ") {
            inputs.append(gitDirectory.appending(path: head.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return [
            .buildCommand(
                displayName: "Embedding the commit of the build",
                executable: try context.tool(named: "BuildInfoEmbed").url,
                arguments: [output.path, gitDirectory.path],
                inputFiles: inputs.filter { FileManager.default.fileExists(atPath: $0.path) },
                outputFiles: [output]
            ),
        ]
    }

    /// `.git`, or where a `.git` file points (a worktree or submodule: "gitdir: PATH").
    static func gitDirectory(of package: URL) -> URL {
        let dotGit = package.appending(path: ".git")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isDirectory), !isDirectory.boolValue,
           let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir: ") {
            let path = text.dropFirst(8).trimmingCharacters(in: .whitespacesAndNewlines)
            return path.hasPrefix("/") ? URL(fileURLWithPath: path) : package.appending(path: path)
        }
        return dotGit
    }
}
