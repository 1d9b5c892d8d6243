using System.Text.RegularExpressions;

namespace DeployMind.Llm;

/// <summary>A known cause of a failed build, recognised in its output, with what to do about it.</summary>
public sealed record RecognisedBuildFailure(string PatternId, string Summary, IReadOnlyList<string> Suggestions, string EvidenceLine);

/// <summary>The build failures the rules recognise without a model, most specific first.</summary>
internal static partial class BuildFailurePatterns
{
    public const string MissingLockfile = "missing-lockfile";
    public const string MissingNpmScript = "missing-npm-script";
    public const string ModuleNotFound = "module-not-found";
    public const string MissingBuildTool = "missing-build-tool";
    public const string PrivilegedPort = "privileged-port";
    public const string PortInUse = "port-in-use";
    public const string InvalidPort = "invalid-port";
    public const string PermissionDeniedNonRoot = "permission-denied-non-root";
    public const string PermissionDenied = "permission-denied";
    public const string OutOfDisk = "out-of-disk";
    public const string NetworkUnavailable = "network-unavailable";
    public const string BaseImageUnavailable = "base-image-unavailable";

    private static readonly (string Id, Func<Regex> Pattern, Func<Match, BuildFailureRequest, (string Summary, string[] Suggestions)?> Explain)[] s_patterns =
    [
        (MissingLockfile, NpmCiWithoutLockfile, (_, _) => (
            "`npm ci` needs a package-lock.json (or npm-shrinkwrap.json), and the build context has none.",
            ["Run `npm install` locally and commit the generated package-lock.json.",
             "Make sure .dockerignore does not exclude package-lock.json and that the Dockerfile copies it before `npm ci` (COPY package*.json ./)."])),
        (MissingLockfile, FrozenLockfile, (m, _) => (
            $"The install runs with a frozen lockfile, but the lockfile is missing or out of date ({m.Value.Trim()}).",
            ["Run the package manager's install locally (yarn install / pnpm install) and commit the updated lockfile.",
             "Copy the lockfile into the image before the install step and keep it out of .dockerignore."])),
        (MissingLockfile, GoSumEntry, (_, _) => (
            "go.sum lacks entries for modules the build needs.",
            ["Run `go mod tidy` locally and commit go.mod and go.sum.", "Copy go.sum with go.mod into the image before `go mod download`."])),
        (MissingLockfile, LockfileNotInContext, (m, _) => (
            $"The Dockerfile copies {m.Groups["file"].Value}, but the file is not in the build context.",
            [$"Generate and commit {m.Groups["file"].Value}, or remove it from the COPY line.",
             $"Check that .dockerignore does not exclude {m.Groups["file"].Value}."])),
        (MissingNpmScript, NpmMissingScript, (m, _) => (
            $"package.json has no \"{m.Groups["script"].Value}\" script, but the build runs `npm run {m.Groups["script"].Value}`.",
            [$"Add a \"{m.Groups["script"].Value}\" entry under \"scripts\" in package.json (e.g. the framework's build command).",
             $"If the app needs no {m.Groups["script"].Value} step, remove `RUN npm run {m.Groups["script"].Value}` from the Dockerfile."])),
        (ModuleNotFound, NodeModuleNotFound, (m, _) => (
            $"Node cannot find module '{m.Groups["module"].Value}'.",
            m.Groups["module"].Value.StartsWith('.') || m.Groups["module"].Value.StartsWith('/')
                ? ["Check the relative path and its letter case (Linux file names are case-sensitive) and that the file is copied into the image (.dockerignore, COPY).",
                   "If the file is a build output, make sure the build step runs before the start command."]
                : [$"Add '{m.Groups["module"].Value}' to \"dependencies\" in package.json (not devDependencies if it is used at run time) and commit the lockfile.",
                   "If the image installs with `--omit=dev` / `--production`, move packages needed at run time out of devDependencies."])),
        (ModuleNotFound, PythonModuleNotFound, (m, _) => (
            $"Python cannot import module '{m.Groups["module"].Value}'.",
            [$"Add the package providing '{m.Groups["module"].Value}' to requirements.txt (or pyproject.toml) and rebuild.",
             "Check that the install step uses the same Python as the start command (python3 -m pip install -r requirements.txt), and that local packages are copied into the image."])),
        (ModuleNotFound, GoModuleNotFound, (m, _) => (
            $"Go cannot find package {m.Groups["module"].Value}.",
            [$"Run `go get {m.Groups["module"].Value}` then `go mod tidy` locally and commit go.mod and go.sum.",
             "For packages of this module, check the import path matches the module path in go.mod and that the directory is copied into the image."])),
        (MissingBuildTool, CommandNotFound, (m, _) => ExplainMissingTool(m.Groups["tool"].Value)),
        (PrivilegedPort, PrivilegedPortDenied, (m, _) => (
            $"The app runs as a non-root user and cannot bind the privileged port {m.Groups["port"].Value} (below 1024).",
            ["Listen on an unprivileged port such as 8080 (e.g. PORT=8080) and map or proxy port 80 to it.",
             "Update EXPOSE and the health check to the new port."])),
        (PortInUse, AddressInUse, (m, _) => (
            m.Groups["port"].Success ? $"Port {m.Groups["port"].Value} is already in use." : "The port the app wants is already in use.",
            ["Stop the process or container holding the port, or configure the app to listen on a free port (PORT environment variable).",
             "With host networking every container shares the host's ports: give each instance its own port."])),
        (InvalidPort, BadPort, (m, _) => (
            $"The port configuration is invalid ({m.Value.Trim()}).",
            ["Set the port to a number from 1 to 65535 (e.g. ENV PORT=8080 / EXPOSE 8080) and read it as a number in the app.",
             "Check that the PORT environment variable is set where the app reads it."])),
        (PermissionDenied, PermissionDeniedText, (_, request) => DockerfileUser(request.Dockerfile) is not null
            ? null
            : ("A file operation was denied while building or starting the app.",
               ["If a script is executed, make it executable (`chmod +x` in the repository, or `RUN chmod +x script.sh`).",
                "Check the owner and mode of the files the failing step writes."])),
        (PermissionDeniedNonRoot, PermissionDeniedText, (_, request) => DockerfileUser(request.Dockerfile) is { } user
            ? ($"The build or app runs as the non-root user '{user}', which may not write where it tries to.",
               [$"Copy files owned by that user (COPY --chown={user}:{user} . .) or `chown` the directories it writes before the USER line.",
                "Run installs that write system paths before switching USER, and let the app write only under its own directory or /tmp."])
            : null),
        (OutOfDisk, NoSpaceLeft, (_, _) => (
            "The build ran out of disk space.",
            ["Free space on the build host: `docker system prune` and `docker builder prune` remove unused images and build cache.",
             "Shrink the build context with a .dockerignore (node_modules, .git, build outputs) and use a multi-stage build so tool chains stay out of the final image."])),
        (BaseImageUnavailable, BaseImagePullFailure, (m, _) => (
            $"A base image in FROM could not be pulled ({m.Value.Trim()}); the engine has no copy and cannot reach its registry.",
            ["Offline: run `deploymind images bootstrap` and build with DEPLOYMIND_BASE_IMAGES=offline, or point FROM (or build.base_images) at an image the engine has.",
             "Or load the image into the engine beforehand (docker load) or pull it through a registry mirror on loopback."])),
        (NetworkUnavailable, NetworkFailure, (_, _) => (
            "A download failed because the build has no network access to the package registry.",
            ["Builds here are offline: point the package manager at a local mirror or registry (npm config set registry, pip --index-url, GOPROXY) reachable on loopback, and build with --network host.",
             "Or vendor the dependencies into the repository (go mod vendor, pip download into a wheelhouse, an npm cache) or use a base image that already contains them."])),
    ];

    /// <summary>Every pattern found in the output, in the order above, each once.</summary>
    public static IReadOnlyList<RecognisedBuildFailure> Recognise(BuildFailureRequest request)
    {
        var found = new List<RecognisedBuildFailure>();
        foreach (var (id, pattern, explain) in s_patterns)
        {
            if (found.Any(f => f.PatternId == id))
            {
                continue;
            }

            var match = pattern().Match(request.BuildOutput);
            if (!match.Success || explain(match, request) is not { } explanation)
            {
                continue;
            }

            // A privileged-port denial is the port problem, not a general permission problem.
            if (id is PermissionDenied or PermissionDeniedNonRoot && found.Any(f => f.PatternId == PrivilegedPort))
            {
                continue;
            }

            found.Add(new RecognisedBuildFailure(id, explanation.Summary, explanation.Suggestions, LineAt(request.BuildOutput, match.Index)));
        }

        return found;
    }

    /// <summary>The user a Dockerfile ends up running as, when it is not root.</summary>
    internal static string? DockerfileUser(string? dockerfile)
    {
        if (string.IsNullOrEmpty(dockerfile))
        {
            return null;
        }

        var user = UserInstruction().Matches(dockerfile).LastOrDefault()?.Groups["user"].Value;
        return user is null or "root" or "0" or "root:root" or "0:0" ? null : user;
    }

    private static (string Summary, string[] Suggestions) ExplainMissingTool(string tool)
    {
        var package = tool switch
        {
            "gcc" or "g++" or "cc" or "c++" or "make" => "build-essential",
            "go" => "golang-go",
            "python" or "python3" => "python3",
            "pip" or "pip3" => "python3-pip",
            "node" or "npm" or "npx" => "nodejs npm",
            "git" => "git",
            "pkg-config" => "pkg-config",
            "cargo" or "rustc" => "cargo",
            "curl" => "curl",
            _ => null,
        };
        return package is not null
            ? ($"The build needs '{tool}', which the image does not have.",
               [$"Install it in the build stage before it is used: RUN apt-get update && apt-get install -y --no-install-recommends {package}.",
                "Or start from a base image that ships the tool chain (and copy only the output into a slim final stage)."])
            : ($"The command '{tool}' is not available in the image.",
               [$"If '{tool}' comes from node_modules/.bin, install dev dependencies in the build stage (`npm ci` without --omit=dev) and run it via `npm run` or `npx`.",
                $"Otherwise install the package that provides '{tool}' in the Dockerfile before it is used."]);
    }

    private static string LineAt(string text, int index)
    {
        var start = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var end = text.IndexOf('\n', index);
        var line = (end < 0 ? text[start..] : text[start..end]).Trim();
        return line.Length <= 300 ? line : line[..300] + "...";
    }

    [GeneratedRegex(@"can only install (?:packages )?with an existing package-lock\.json|npm-shrinkwrap\.json with lockfileVersion", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NpmCiWithoutLockfile();

    [GeneratedRegex(@"lockfile needs to be updated, but yarn was run with `?--frozen-lockfile|The lockfile would have been (?:created|modified) by this install, which is explicitly forbidden|ERR_PNPM_NO_LOCKFILE|ERR_PNPM_OUTDATED_LOCKFILE|pnpm-lock\.yaml is absent|poetry\.lock (?:was not found|is not consistent)|Pipfile\.lock .*out of date", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FrozenLockfile();

    [GeneratedRegex(@"missing go\.sum entry", RegexOptions.CultureInvariant)]
    private static partial Regex GoSumEntry();

    [GeneratedRegex(@"(?:COPY failed|failed to compute cache key|failed to calculate checksum)[^\n]*?""?/?(?<file>package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|Pipfile\.lock|go\.sum|Cargo\.lock)""?:? not found", RegexOptions.CultureInvariant)]
    private static partial Regex LockfileNotInContext();

    [GeneratedRegex(@"missing script:\s*""?(?<script>[\w:.\-]+)""?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NpmMissingScript();

    [GeneratedRegex(@"Cannot find (?:module|package) '(?<module>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex NodeModuleNotFound();

    [GeneratedRegex(@"ModuleNotFoundError: No module named '(?<module>[^']+)'|ImportError: No module named '?(?<module>[\w.]+)", RegexOptions.CultureInvariant)]
    private static partial Regex PythonModuleNotFound();

    [GeneratedRegex(@"no required module provides package (?<module>[^\s;:]+)|cannot find package ""(?<module>[^""]+)""|package (?<module>[^\s]+) is not in (?:GOROOT|std)", RegexOptions.CultureInvariant)]
    private static partial Regex GoModuleNotFound();

    [GeneratedRegex(@"(?<=^|[\s:])(?<tool>(?!Error:)[A-Za-z][\w.+\-]*): (?:command )?not found|exec: ""(?<tool>[\w.+\-]+)"": executable file not found in \$PATH|gyp ERR! stack Error: not found: (?<tool>[\w.+\-]+)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex CommandNotFound();

    [GeneratedRegex(@"listen EACCES:? (?:permission denied )?[^\s]*:(?<port>\d{1,4})\b|bind\(?\)?[^\n]*?:(?<port>\d{1,3}): permission denied", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PrivilegedPortDenied();

    [GeneratedRegex(@"EADDRINUSE(?:[^\n]*?:(?<port>\d{2,5}))?|address already in use(?:[^\n]*?:(?<port>\d{2,5}))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AddressInUse();

    [GeneratedRegex(@"ERR_SOCKET_BAD_PORT[^\n]*|invalid (?:container)?port[^\n]*|port should be >= 0 and < 65536[^\n]*|port (?:must be|out of range)[^\n]*|EXPOSE requires at least one argument", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BadPort();

    [GeneratedRegex(@"EACCES|permission denied|Operation not permitted", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PermissionDeniedText();

    [GeneratedRegex(@"No space left on device|ENOSPC: no space|disk quota exceeded|not enough space on the disk", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NoSpaceLeft();

    [GeneratedRegex(@"getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|Temporary failure (?:in name resolution|resolving)|Could not resolve host|Network is unreachable|ENETUNREACH|dial tcp: lookup [^\n]*(?:no such host|server misbehaving|i/o timeout)|Failed to establish a new connection|Could not fetch URL|npm (?:ERR!|error) network|unable to access 'https?://|Could not connect to [\w.\-]+:\d+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NetworkFailure();

    [GeneratedRegex(@"pull access denied for [^\s,]+|manifest for [^\s]+ not found|manifest unknown|Get ""https://registry-1\.docker\.io/v2/""[^\n]*|failed to resolve source metadata for [^\s]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BaseImagePullFailure();

    [GeneratedRegex(@"^\s*USER\s+(?<user>\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UserInstruction();
}
