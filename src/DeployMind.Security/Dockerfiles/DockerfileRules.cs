using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Security.Dockerfiles;

/// <summary>The built-in Dockerfile checks: Trivy's DS rules (same ids, titles and severities) and a set of hadolint rules.</summary>
public static partial class DockerfileRules
{
    private static readonly string[] s_archiveExtensions =
        [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst"];

    private static readonly string[] s_systemDirectories = ["/proc", "/boot", "/dev", "/initrd", "/lost+found", "/sys"];

    private static readonly string[] s_aptGetOptionsWithValue = ["-o", "-c", "-t", "--option", "--config-file", "--target-release"];

    private static readonly string[] s_apkOptionsWithValue = ["-t", "--virtual", "-X", "--repository", "--repositories-file", "-p", "--root", "--arch", "--cache-dir", "--keys-dir"];

    private static readonly string[] s_pipOptionsWithValue =
    [
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
        "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--trusted-host", "--src", "--platform",
        "--python-version", "--implementation", "--abi", "--upgrade-strategy", "--progress-bar", "--cache-dir",
        "--log", "--proxy", "--retries", "--timeout", "--exists-action", "--cert", "--client-cert",
        "--global-option", "--install-option", "--config-settings", "-C",
    ];

    private static readonly string[] s_npmOptionsWithValue = ["--prefix", "--registry", "--cache", "-w", "--workspace", "--omit", "--include", "--tag"];

    private static readonly string[] s_gemOptionsWithValue = ["-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s", "--platform", "-P", "--trust-policy"];

    private static readonly string[] s_secretFileNames =
    [
        "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".env", ".npmrc", ".pypirc", ".netrc", ".git-credentials",
        ".dockercfg", "credentials", "credentials.json", "secrets.json", "secrets.yaml", "secrets.yml",
    ];

    private static readonly string[] s_secretFileExtensions = [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx", ".ppk"];

    private static readonly string[] s_nonSecretSuffixes =
        ["_FILE", "_PATH", "_DIR", "_URL", "_URI", "_ENDPOINT", "_HOST", "_PORT", "_NAME", "_TYPE", "_LENGTH", "_TTL", "_HEADER", "_VERSION"];

    private static readonly HashSet<string> s_posixShells = new(StringComparer.Ordinal) { "sh", "bash", "ash", "dash", "zsh", "ksh", "busybox" };

    [GeneratedRegex(@"(?i)(?:^|_)(?:PASSWORD|PASSWD|PASS|SECRET|SECRETS|TOKEN|APIKEY|API_KEY|ACCESS_KEY|ACCESSKEY|PRIVATE_KEY|SECRET_KEY|CREDENTIAL|CREDENTIALS|AUTH_KEY|AUTH_TOKEN)(?:$|_)")]
    private static partial Regex SecretNameRegex();

    [GeneratedRegex(@"(?:^|&&|\|\||;|\n)\s*cd\s")]
    private static partial Regex RunCdRegex();

    [GeneratedRegex(@"^[A-Za-z]:[\\/]")]
    private static partial Regex WindowsAbsolutePathRegex();

    [GeneratedRegex(@"<<-?[""']?[A-Za-z_][A-Za-z0-9_.-]*[""']?")]
    private static partial Regex HeredocMarkerRegex();

    [GeneratedRegex(@"^pip[0-9.]*$")]
    private static partial Regex PipRegex();

    [GeneratedRegex(@"^python[0-9.]*$")]
    private static partial Regex PythonRegex();

    public static IReadOnlyList<DockerfileRule> All { get; } =
    [
        new()
        {
            Id = "DS-0001", Title = "':latest' tag used (or no tag)", Severity = Severity.Medium,
            Description = "An image without a tag or with ':latest' changes underneath you: builds are not reproducible and a rollback may pull a different image",
            Fix = "Pin the base image to a specific version tag or a digest, e.g. 'FROM node:22.11-bookworm-slim' or 'FROM node@sha256:...'",
            Check = d => ExternalImages(d).Where(x => x.Tag is null || x.Tag == "latest").Select(x => DockerfileRuleHit.At(x.Stage.From, $"FROM {x.Stage.BaseImage}")),
        },
        new()
        {
            Id = "DS-0002", Title = "Image user should not be 'root'", Severity = Severity.High,
            Description = "A container running as root turns any code-execution bug into root inside the container and eases escapes to the host",
            Fix = "Create an unprivileged user and switch to it at the end of the final stage: 'RUN useradd -r app' then 'USER app'",
            Check = RootUser,
        },
        new()
        {
            Id = "DS-0004", Title = "Port 22 exposed", Severity = Severity.Medium,
            Description = "Exposing SSH invites remote logins into the container; containers are managed with 'docker exec', not SSH",
            Fix = "Remove port 22 from EXPOSE and do not run an SSH server in the image",
            Check = d => ExposedPorts(d).Where(p => p.From <= 22 && 22 <= p.To).Select(p => DockerfileRuleHit.At(p.Instruction, $"EXPOSE {p.Text}")),
        },
        new()
        {
            Id = "DS-0005", Title = "ADD instead of COPY", Severity = Severity.Low,
            Description = "ADD fetches URLs and unpacks archives implicitly, so the image can contain more, or other, files than intended",
            Fix = "Use COPY for local files; download remote files with curl and verify their checksum in a RUN",
            Check = AddInsteadOfCopy,
        },
        new()
        {
            Id = "DS-0006", Title = "COPY '--from' referring to the current image", Severity = Severity.Critical,
            Description = "A stage cannot copy from itself; the build fails or copies from an unrelated image of the same name",
            Fix = "Point COPY --from at an earlier stage or at an image",
            Check = CopyFromCurrentStage,
        },
        new()
        {
            Id = "DS-0007", Title = "Multiple ENTRYPOINT instructions", Severity = Severity.Critical,
            Description = "Only the last ENTRYPOINT of a stage takes effect; the others are dead code that misleads readers",
            Fix = "Keep a single ENTRYPOINT per stage",
            Check = d => Duplicates(d, "ENTRYPOINT"),
        },
        new()
        {
            Id = "DS-0008", Title = "Exposed port out of range", Severity = Severity.Critical,
            Description = "A port outside 0-65535 cannot be bound; the image documents a port that does not exist",
            Fix = "EXPOSE a port between 0 and 65535",
            Check = d => ExposedPorts(d).Where(p => p.To > 65535).Select(p => DockerfileRuleHit.At(p.Instruction, $"EXPOSE {p.Text}")),
        },
        new()
        {
            Id = "DS-0009", Title = "WORKDIR path not absolute", Severity = Severity.High,
            Description = "A relative WORKDIR depends on every earlier WORKDIR, including those of the base image, and is easy to get wrong",
            Fix = "Use an absolute path, e.g. 'WORKDIR /app'",
            Check = d => Instructions(d, "WORKDIR").Where(i => !IsAbsolutePath(Unquote(i.Command))).Select(i => DockerfileRuleHit.At(i, $"WORKDIR {i.Command}")),
        },
        new()
        {
            Id = "DS-0010", Title = "RUN using 'sudo'", Severity = Severity.Critical,
            Description = "sudo in a build has unpredictable TTY and signal behaviour and implies the image ships sudo, an easy privilege escalation",
            Fix = "Run the command as root before switching USER, or use gosu in an entrypoint when a runtime switch is needed",
            Check = d => Runs(d).Where(r => Script(r).Commands.Any(c => c.RawName == "sudo")).Select(r => DockerfileRuleHit.At(r)),
        },
        new()
        {
            Id = "DS-0011", Title = "COPY with more than two arguments not ending with slash", Severity = Severity.Critical,
            Description = "With several sources the destination must be a directory; without a trailing slash the build fails",
            Fix = "End the destination with '/', e.g. 'COPY a.txt b.txt /app/'",
            Check = CopyManySourcesWithoutSlash,
        },
        new()
        {
            Id = "DS-0012", Title = "Duplicate aliases in different FROMs", Severity = Severity.Critical,
            Description = "Two stages with the same name make 'COPY --from' and '--target' ambiguous",
            Fix = "Give every stage a unique name in 'FROM image AS name'",
            Check = DuplicateStageNames,
        },
        new()
        {
            Id = "DS-0013", Title = "'RUN cd ...' to change directory", Severity = Severity.Medium,
            Description = "'cd' in a RUN only lasts for that RUN; later instructions silently run elsewhere",
            Fix = "Use 'WORKDIR /path' to change the working directory",
            Check = d => Runs(d).Where(r => RunCdRegex().IsMatch(ScriptText(r))).Select(r => DockerfileRuleHit.At(r)),
        },
        new()
        {
            Id = "DS-0014", Title = "RUN using both 'wget' and 'curl'", Severity = Severity.Low,
            Description = "Two download tools where one suffices enlarge the image and its attack surface",
            Fix = "Use either curl or wget throughout the Dockerfile",
            Check = WgetAndCurl,
        },
        new()
        {
            Id = "DS-0015", Title = "'yum clean all' missing", Severity = Severity.High,
            Description = "The yum cache left in a layer bloats the image with package metadata",
            Fix = "End the RUN with 'yum clean all': 'RUN yum install -y pkg && yum clean all'",
            Check = d => InstallWithoutClean(d, "yum", ["install", "groupinstall", "localinstall"], c => c.Name == "yum" && c.Arguments.Contains("clean") && c.Arguments.Contains("all")),
        },
        new()
        {
            Id = "DS-0016", Title = "Multiple CMD instructions", Severity = Severity.High,
            Description = "Only the last CMD of a stage takes effect; the others are dead code that misleads readers",
            Fix = "Keep a single CMD per stage",
            Check = d => Duplicates(d, "CMD"),
        },
        new()
        {
            Id = "DS-0017", Title = "'<package manager> update' instruction alone", Severity = Severity.High,
            Description = "An update in its own RUN is cached as a layer, so later installs use stale package lists and can fail or install outdated packages",
            Fix = "Update and install in the same RUN: 'RUN apt-get update && apt-get install -y pkg'",
            Check = UpdateAlone,
        },
        new()
        {
            Id = "DS-0019", Title = "'dnf clean all' missing", Severity = Severity.High,
            Description = "The dnf cache left in a layer bloats the image with package metadata",
            Fix = "End the RUN with 'dnf clean all': 'RUN dnf install -y pkg && dnf clean all'",
            Check = d => InstallWithoutClean(d, "dnf", ["install", "groupinstall", "localinstall"], c => c.Name == "dnf" && c.Arguments.Contains("clean") && c.Arguments.Contains("all")),
        },
        new()
        {
            Id = "DS-0020", Title = "'zypper clean' missing", Severity = Severity.High,
            Description = "The zypper cache left in a layer bloats the image with package metadata",
            Fix = "End the RUN with 'zypper clean': 'RUN zypper install -y pkg && zypper clean'",
            Check = d => InstallWithoutClean(d, "zypper", ["install", "in", "patch", "source-install", "si"], c => c.Name == "zypper" && (c.Arguments.Contains("clean") || c.Arguments.Contains("cc"))),
        },
        new()
        {
            Id = "DS-0021", Title = "'apt-get' missing '-y'", Severity = Severity.High,
            Description = "Without '-y' apt-get waits for a confirmation that never comes and the build fails",
            Fix = "Add '-y': 'apt-get install -y pkg'",
            Check = d => RunsWith(d, c => c.Is("apt-get", "install", s_aptGetOptionsWithValue) && !AptAssumesYes(c), "apt-get install without -y"),
        },
        new()
        {
            Id = "DS-0022", Title = "Deprecated MAINTAINER", Severity = Severity.High,
            Description = "MAINTAINER is deprecated and not shown by standard tooling",
            Fix = "Use a label: 'LABEL org.opencontainers.image.authors=\"name@example.com\"'",
            Check = d => Instructions(d, "MAINTAINER").Select(i => DockerfileRuleHit.At(i)),
        },
        new()
        {
            Id = "DS-0023", Title = "Multiple HEALTHCHECK instructions", Severity = Severity.Medium,
            Description = "Only the last HEALTHCHECK of a stage takes effect; the others are dead code that misleads readers",
            Fix = "Keep a single HEALTHCHECK per stage",
            Check = d => Duplicates(d, "HEALTHCHECK"),
        },
        new()
        {
            Id = "DS-0024", Title = "'apt-get dist-upgrade' used", Severity = Severity.High,
            Description = "dist-upgrade can replace core packages of the base image with unexpected major versions",
            Fix = "Install only the packages you need, or use a newer base image",
            Check = d => RunsWith(d, c => c.Is("apt-get", "dist-upgrade", s_aptGetOptionsWithValue) || c.Is("apt", "dist-upgrade", s_aptGetOptionsWithValue), "apt-get dist-upgrade"),
        },
        new()
        {
            Id = "DS-0025", Title = "'apk add' missing '--no-cache'", Severity = Severity.High,
            Description = "Without --no-cache the apk index stays in the layer and bloats the image",
            Fix = "Use 'apk add --no-cache pkg'",
            Check = d => RunsWith(d, c => c.Is("apk", "add", s_apkOptionsWithValue) && !c.HasOption("--no-cache"), "apk add without --no-cache"),
        },
        new()
        {
            Id = "DS-0026", Title = "No HEALTHCHECK defined", Severity = Severity.Low,
            Description = "Without a HEALTHCHECK the runtime cannot tell a hung container from a healthy one",
            Fix = "Add a HEALTHCHECK to the final stage, e.g. 'HEALTHCHECK CMD curl -fsS http://localhost:8080/health || exit 1'",
            Check = NoHealthcheck,
        },
        new()
        {
            Id = "DS-0027", Title = "'microdnf clean all' missing", Severity = Severity.High,
            Description = "The microdnf cache left in a layer bloats the image with package metadata",
            Fix = "End the RUN with 'microdnf clean all'",
            Check = d => InstallWithoutClean(d, "microdnf", ["install"], c => c.Name == "microdnf" && c.Arguments.Contains("clean") && c.Arguments.Contains("all")),
        },
        new()
        {
            Id = "DS-0029", Title = "'apt-get' missing '--no-install-recommends'", Severity = Severity.High,
            Description = "Recommended packages are installed by default, adding size and attack surface the application does not need",
            Fix = "Use 'apt-get install -y --no-install-recommends pkg'",
            Check = d => RunsWith(d, c => c.Is("apt-get", "install", s_aptGetOptionsWithValue) && !AptNoRecommends(c), "apt-get install without --no-install-recommends"),
        },
        new()
        {
            Id = "DS-0030", Title = "WORKDIR on a system directory", Severity = Severity.High,
            Description = "Working in /proc, /sys, /dev or /boot writes into kernel or boot file systems and can break the container or the host",
            Fix = "Use an application directory such as /app",
            Check = d => Instructions(d, "WORKDIR").Where(i => IsSystemDirectory(Unquote(i.Command))).Select(i => DockerfileRuleHit.At(i, $"WORKDIR {i.Command}")),
        },
        new()
        {
            Id = "DS-0031", Title = "Secrets passed via build args, ENV or copied secret files", Severity = Severity.Critical,
            Description = "Build args, ENV values and copied files are stored in the image layers and history; anyone who can pull the image can read them",
            Fix = "Use build secrets ('RUN --mount=type=secret,id=token ...') or runtime environment variables; never bake secret files into the image",
            Check = SecretsInImage,
        },
        new()
        {
            Id = "DL3006", Title = "Always tag the version of an image explicitly", Severity = Severity.Medium,
            Description = "An untagged image means ':latest', which changes underneath you",
            Fix = "Add a version tag, e.g. 'FROM debian:12.8-slim'",
            Check = d => ExternalImages(d).Where(x => x.Tag is null).Select(x => DockerfileRuleHit.At(x.Stage.From, $"FROM {x.Stage.BaseImage}")),
        },
        new()
        {
            Id = "DL3007", Title = "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag", Severity = Severity.Medium,
            Description = "':latest' moves with every release, so two builds of one commit can differ",
            Fix = "Replace ':latest' with a release tag",
            Check = d => ExternalImages(d).Where(x => x.Tag == "latest").Select(x => DockerfileRuleHit.At(x.Stage.From, $"FROM {x.Stage.BaseImage}")),
        },
        new()
        {
            Id = "DL3008", Title = "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`", Severity = Severity.Medium,
            Description = "Unpinned packages make builds unreproducible and can pull in breaking changes",
            Fix = "Pin each package: 'apt-get install -y pkg=1.2.3-1'",
            Check = d => UnpinnedPackages(d, c => c.Is("apt-get", "install", s_aptGetOptionsWithValue), "install", s_aptGetOptionsWithValue, p => p.Contains('=', StringComparison.Ordinal) || p.EndsWith(".deb", StringComparison.Ordinal)),
        },
        new()
        {
            Id = "DL3009", Title = "Delete the apt-get lists after installing something", Severity = Severity.Low,
            Description = "The apt lists left in a layer add tens of megabytes to the final image",
            Fix = "End the RUN with 'rm -rf /var/lib/apt/lists/*'",
            Check = AptListsKept,
        },
        new()
        {
            Id = "DL3013", Title = "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>`", Severity = Severity.Medium,
            Description = "Unpinned packages make builds unreproducible and can pull in breaking changes",
            Fix = "Pin each package ('pip install flask==3.0.3') or install from a pinned requirements file",
            Check = d => UnpinnedPackages(d, IsPipInstall, "install", s_pipOptionsWithValue, IsPinnedPip),
        },
        new()
        {
            Id = "DL3016", Title = "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`", Severity = Severity.Medium,
            Description = "Unpinned packages make builds unreproducible and can pull in breaking changes",
            Fix = "Pin each package ('npm install express@4.21.1') or run 'npm ci' with a lockfile",
            Check = d => UnpinnedPackages(d, c => c.Name == "npm" && c.SubCommand(s_npmOptionsWithValue) is "install" or "i" or "add", null, s_npmOptionsWithValue, IsPinnedNpm),
        },
        new()
        {
            Id = "DL3018", Title = "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`", Severity = Severity.Medium,
            Description = "Unpinned packages make builds unreproducible and can pull in breaking changes",
            Fix = "Pin each package: 'apk add --no-cache pkg=1.2.3-r0'",
            Check = d => UnpinnedPackages(d, c => c.Is("apk", "add", s_apkOptionsWithValue), "add", s_apkOptionsWithValue, p => p.IndexOfAny(['=', '~', '<', '>']) > 0 || p.EndsWith(".apk", StringComparison.Ordinal)),
        },
        new()
        {
            Id = "DL3025", Title = "Use arguments JSON notation for CMD and ENTRYPOINT arguments", Severity = Severity.Medium,
            Description = "The shell form runs the process under /bin/sh -c, so it does not receive SIGTERM and cannot shut down gracefully",
            Fix = "Use the JSON form: 'CMD [\"node\", \"server.js\"]'",
            Check = d => d.Instructions.Where(i => i.StageIndex >= 0 && i.Keyword is "CMD" or "ENTRYPOINT" && !i.IsJsonForm && i.Command.Length > 0).Select(i => DockerfileRuleHit.At(i, $"{i.Keyword} in shell form")),
        },
        new()
        {
            Id = "DL3028", Title = "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`", Severity = Severity.Medium,
            Description = "Unpinned gems make builds unreproducible and can pull in breaking changes",
            Fix = "Pin each gem: 'gem install rails:7.2.1' or 'gem install rails -v 7.2.1'",
            Check = d => UnpinnedPackages(d, c => c.Is("gem", "install", s_gemOptionsWithValue) && !c.HasOption("-v", "--version") && !c.Arguments.Any(a => a.StartsWith("--version=", StringComparison.Ordinal)), "install", s_gemOptionsWithValue, p => p.Contains(':', StringComparison.Ordinal) || p.EndsWith(".gem", StringComparison.Ordinal)),
        },
        new()
        {
            Id = "DL3042", Title = "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`", Severity = Severity.Medium,
            Description = "pip's download cache is written into the layer and bloats the image",
            Fix = "Use 'pip install --no-cache-dir ...', set 'ENV PIP_NO_CACHE_DIR=1', or use a cache mount",
            Check = PipCache,
        },
        new()
        {
            Id = "DL3059", Title = "Multiple consecutive `RUN` instructions. Consider consolidation.", Severity = Severity.Low,
            Description = "Each RUN adds a layer; consecutive RUNs can usually be joined with '&&'",
            Fix = "Join consecutive RUN instructions with '&&' (and '\\' continuations)",
            Check = ConsecutiveRuns,
        },
        new()
        {
            Id = "DL4006", Title = "Set the SHELL option -o pipefail before RUN with a pipe in it", Severity = Severity.Medium,
            Description = "Without pipefail a failing command before a pipe is ignored and the build succeeds with a broken result",
            Fix = "Add 'SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]' before the RUN (or 'set -o pipefail &&' in it)",
            Check = PipeWithoutPipefail,
        },
    ];

    public static DockerfileRule? Find(string id) => All.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));

    // ---- image references ----

    internal static (string Name, string? Tag, string? Digest) ParseImage(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var digest = at < 0 ? null : image[(at + 1)..];
        var rest = at < 0 ? image : image[..at];
        var slash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        return colon > slash ? (rest[..colon], rest[(colon + 1)..], digest) : (rest, null, digest);
    }

    private static IEnumerable<(DockerStage Stage, string? Tag)> ExternalImages(DockerfileDocument document)
    {
        foreach (var stage in document.Stages)
        {
            var image = stage.BaseImage;
            if (stage.BaseStage is not null || image.Length == 0 || image.Contains('$', StringComparison.Ordinal)
                || string.Equals(image, "scratch", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var (_, tag, digest) = ParseImage(image);
            if (digest is null)
            {
                yield return (stage, tag);
            }
        }
    }

    // ---- instruction helpers ----

    private static IEnumerable<DockerInstruction> Instructions(DockerfileDocument document, string keyword) =>
        document.Instructions.Where(i => i.StageIndex >= 0 && i.Keyword == keyword);

    private static IEnumerable<DockerInstruction> Runs(DockerfileDocument document) => Instructions(document, "RUN");

    /// <summary>The shell text a RUN executes: the command, the -c script of an exec form, and heredoc scripts fed to a shell.</summary>
    internal static string ScriptText(DockerInstruction run)
    {
        if (run.IsJsonForm && run.JsonArguments is { Count: > 0 } args)
        {
            var shell = Path.GetFileName(args[0]);
            if (s_posixShells.Contains(shell))
            {
                var c = args.ToList().IndexOf("-c");
                if (c >= 0 && c + 1 < args.Count)
                {
                    return args[c + 1];
                }
            }

            return string.Join(' ', args.Select(QuoteIfNeeded));
        }

        if (run.Heredocs.Count == 0)
        {
            return run.Command;
        }

        var withoutMarkers = HeredocMarkerRegex().Replace(run.Command, " ");
        var words = ShellWords.Split(withoutMarkers);
        if (words.Count == 0 || s_posixShells.Contains(Path.GetFileName(words[0])))
        {
            return withoutMarkers + "\n" + string.Join('\n', run.Heredocs.Select(h => h.Content));
        }

        return withoutMarkers;
    }

    internal static ShellScript Script(DockerInstruction run) => run.Script;

    private static string QuoteIfNeeded(string arg) => arg.Contains(' ', StringComparison.Ordinal) ? $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'" : arg;

    private static IEnumerable<DockerfileRuleHit> RunsWith(DockerfileDocument document, Func<ShellCommand, bool> predicate, string detail) =>
        Runs(document).Where(r => Script(r).Commands.Any(predicate)).Select(r => DockerfileRuleHit.At(r, detail));

    private static string Unquote(string value)
    {
        var v = value.Trim();
        return v.Length >= 2 && (v[0] == '"' || v[0] == '\'') && v[^1] == v[0] ? v[1..^1] : v;
    }

    private static bool IsAbsolutePath(string path) =>
        path.StartsWith('/') || path.StartsWith('$') || path.StartsWith('\\') || WindowsAbsolutePathRegex().IsMatch(path);

    private static bool IsSystemDirectory(string path)
    {
        var normalized = path.TrimEnd('/');
        return s_systemDirectories.Any(d => normalized == d || normalized.StartsWith(d + "/", StringComparison.Ordinal));
    }

    private static IEnumerable<DockerStage> StageChain(DockerStage? stage)
    {
        var seen = new HashSet<int>();
        while (stage is not null && seen.Add(stage.Index))
        {
            yield return stage;
            stage = stage.BaseStage;
        }
    }

    // ---- rule bodies ----

    private static IEnumerable<DockerfileRuleHit> RootUser(DockerfileDocument document)
    {
        var final = document.FinalStage;
        if (final is null)
        {
            yield break;
        }

        foreach (var stage in StageChain(final))
        {
            var user = stage.Instructions.LastOrDefault(i => i.Keyword == "USER");
            if (user is null)
            {
                continue;
            }

            var name = Unquote(user.Command).Split(':')[0].Trim();
            if (name is "root" or "0")
            {
                yield return DockerfileRuleHit.At(user, $"the final USER is '{name}'");
            }

            yield break;
        }

        yield return DockerfileRuleHit.At(final.From, "the final stage sets no USER, so the container runs as root");
    }

    private sealed record ExposedPort(DockerInstruction Instruction, string Text, long From, long To);

    private static IEnumerable<ExposedPort> ExposedPorts(DockerfileDocument document)
    {
        foreach (var expose in Instructions(document, "EXPOSE"))
        {
            foreach (var word in ShellWords.Split(expose.Command))
            {
                var port = word.Split('/')[0];
                if (port.Length == 0 || port.Contains('$', StringComparison.Ordinal))
                {
                    continue;
                }

                var dash = port.IndexOf('-', 1);
                var fromText = dash < 0 ? port : port[..dash];
                var toText = dash < 0 ? port : port[(dash + 1)..];
                if (long.TryParse(fromText, out var from) && long.TryParse(toText, out var to))
                {
                    yield return new ExposedPort(expose, word, from, to);
                }
            }
        }
    }

    private static List<string> CopyArguments(DockerInstruction instruction) =>
        instruction.IsJsonForm && instruction.JsonArguments is not null ? [.. instruction.JsonArguments] : ShellWords.Split(instruction.Command);

    private static IEnumerable<DockerfileRuleHit> AddInsteadOfCopy(DockerfileDocument document)
    {
        foreach (var add in Instructions(document, "ADD"))
        {
            if (add.Heredocs.Count > 0)
            {
                continue;
            }

            var args = CopyArguments(add);
            var sources = args.Count > 1 ? args.Take(args.Count - 1) : args;
            if (!sources.Any(s => s_archiveExtensions.Any(e => s.EndsWith(e, StringComparison.OrdinalIgnoreCase))))
            {
                yield return DockerfileRuleHit.At(add, $"ADD {string.Join(' ', sources)}");
            }
        }
    }

    private static IEnumerable<DockerfileRuleHit> CopyFromCurrentStage(DockerfileDocument document)
    {
        foreach (var stage in document.Stages)
        {
            if (stage.Name is null)
            {
                continue;
            }

            foreach (var copy in stage.Instructions.Where(i => i.Keyword == "COPY"))
            {
                var from = copy.GetFlag("from");
                if (from is not null && string.Equals(from, stage.Name, StringComparison.OrdinalIgnoreCase))
                {
                    yield return DockerfileRuleHit.At(copy, $"COPY --from={from} inside stage '{stage.Name}'");
                }
            }
        }
    }

    private static IEnumerable<DockerfileRuleHit> Duplicates(DockerfileDocument document, string keyword)
    {
        foreach (var stage in document.Stages)
        {
            foreach (var extra in stage.Instructions.Where(i => i.Keyword == keyword).Skip(1))
            {
                yield return DockerfileRuleHit.At(extra, $"more than one {keyword} in stage {stage.Name ?? stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }
        }
    }

    private static IEnumerable<DockerfileRuleHit> CopyManySourcesWithoutSlash(DockerfileDocument document)
    {
        foreach (var copy in Instructions(document, "COPY"))
        {
            if (copy.Heredocs.Count > 0)
            {
                continue;
            }

            var args = CopyArguments(copy);
            if (args.Count > 2 && !args[^1].EndsWith('/') && !args[^1].EndsWith('\\'))
            {
                yield return DockerfileRuleHit.At(copy, $"{args.Count - 1} sources copied to '{args[^1]}'");
            }
        }
    }

    private static IEnumerable<DockerfileRuleHit> DuplicateStageNames(DockerfileDocument document)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var stage in document.Stages)
        {
            if (stage.Name is not null && !seen.Add(stage.Name))
            {
                yield return DockerfileRuleHit.At(stage.From, $"stage name '{stage.Name}' is used twice");
            }
        }
    }

    private static IEnumerable<DockerfileRuleHit> WgetAndCurl(DockerfileDocument document)
    {
        DockerInstruction? firstCurl = null;
        DockerInstruction? firstWget = null;
        foreach (var run in Runs(document))
        {
            var commands = Script(run).Commands;
            firstCurl ??= commands.Any(c => c.Name == "curl") ? run : null;
            firstWget ??= commands.Any(c => c.Name == "wget") ? run : null;
        }

        if (firstCurl is not null && firstWget is not null)
        {
            var later = firstCurl.Line > firstWget.Line ? firstCurl : firstWget;
            yield return DockerfileRuleHit.At(later, $"curl (line {firstCurl.Line}) and wget (line {firstWget.Line}) are both used");
        }
    }

    private static IEnumerable<DockerfileRuleHit> InstallWithoutClean(DockerfileDocument document, string manager, string[] installCommands, Func<ShellCommand, bool> isClean)
    {
        foreach (var run in Runs(document))
        {
            var commands = Script(run).Commands;
            var install = commands.ToList().FindLastIndex(c => c.Name == manager && installCommands.Contains(c.SubCommand("-c", "--config", "--setopt")));
            if (install >= 0 && !commands.Skip(install + 1).Any(isClean))
            {
                yield return DockerfileRuleHit.At(run, $"{manager} {commands[install].SubCommand("-c", "--config", "--setopt")} without a clean in the same RUN");
            }
        }
    }

    private static readonly (string Manager, string Update, string Family)[] s_updateCommands =
    [
        ("apt-get", "update", "apt"), ("apt", "update", "apt"), ("apk", "update", "apk"),
        ("yum", "update", "yum"), ("dnf", "update", "dnf"), ("zypper", "refresh", "zypper"), ("zypper", "ref", "zypper"),
    ];

    private static readonly HashSet<string> s_installCommands = new(StringComparer.Ordinal)
    {
        "install", "add", "upgrade", "dist-upgrade", "source-install", "reinstall", "groupinstall", "localinstall", "in",
    };

    private static IEnumerable<DockerfileRuleHit> UpdateAlone(DockerfileDocument document)
    {
        foreach (var run in Runs(document))
        {
            var commands = Script(run).Commands;
            foreach (var (manager, update, family) in s_updateCommands)
            {
                var updates = commands.Where(c => c.Name == manager && c.SubCommand(s_aptGetOptionsWithValue) == update).ToList();
                if (updates.Count == 0)
                {
                    continue;
                }

                var installs = commands.Any(c => !updates.Contains(c) && FamilyOf(c.Name) == family && s_installCommands.Contains(c.SubCommand(s_aptGetOptionsWithValue) ?? string.Empty));
                if (!installs)
                {
                    yield return DockerfileRuleHit.At(run, $"'{manager} {update}' without an install in the same RUN");
                    break;
                }
            }
        }
    }

    private static string FamilyOf(string name) => name is "apt" or "apt-get" ? "apt" : name;

    private static bool AptAssumesYes(ShellCommand command) => command.Arguments.Any(a =>
        a is "--yes" or "--assume-yes" or "--force-yes" || a.Contains("Assume-Yes=true", StringComparison.OrdinalIgnoreCase)
        || (a.Length > 1 && a[0] == '-' && a[1] != '-' && a.Contains('y', StringComparison.Ordinal)));

    private static bool AptNoRecommends(ShellCommand command) => command.Arguments.Any(a =>
        a == "--no-install-recommends" || a.Contains("Install-Recommends=false", StringComparison.OrdinalIgnoreCase)
        || a.Contains("Install-Recommends=0", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<DockerfileRuleHit> NoHealthcheck(DockerfileDocument document)
    {
        var final = document.FinalStage;
        if (final is null)
        {
            yield break;
        }

        if (!StageChain(final).Any(s => s.Instructions.Any(i => i.Keyword == "HEALTHCHECK")))
        {
            yield return DockerfileRuleHit.At(final.From, "the final stage has no HEALTHCHECK");
        }
    }

    private static IEnumerable<DockerfileRuleHit> SecretsInImage(DockerfileDocument document)
    {
        foreach (var instruction in document.Instructions)
        {
            if (instruction.Keyword is "ENV" or "ARG")
            {
                foreach (var (name, value) in DockerfileParser.ParseKeyValues(instruction.Command, allowLegacyForm: instruction.Keyword == "ENV"))
                {
                    if (!string.IsNullOrEmpty(value) && IsSecretName(name))
                    {
                        yield return DockerfileRuleHit.At(instruction, $"{instruction.Keyword} {name} is given a value");
                    }
                }
            }
            else if (instruction.Keyword is "COPY" or "ADD" && instruction.Heredocs.Count == 0)
            {
                var args = CopyArguments(instruction);
                foreach (var source in args.Take(args.Count - 1))
                {
                    if (IsSecretFile(source))
                    {
                        yield return DockerfileRuleHit.At(instruction, $"{instruction.Keyword} of secret file '{source}'");
                    }
                }
            }
        }
    }

    internal static bool IsSecretName(string name) =>
        SecretNameRegex().IsMatch(name) && !s_nonSecretSuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase));

    internal static bool IsSecretFile(string source)
    {
        var name = Path.GetFileName(source.TrimEnd('/'));
        if (name.Length == 0 || name.EndsWith(".pub", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (s_secretFileNames.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.StartsWith(".env.", StringComparison.OrdinalIgnoreCase))
        {
            var suffix = name[5..];
            return suffix is not ("example" or "sample" or "template" or "dist" or "defaults");
        }

        return s_secretFileExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }

    private static IEnumerable<DockerfileRuleHit> UnpinnedPackages(
        DockerfileDocument document, Func<ShellCommand, bool> isInstall, string? subCommand, string[] optionsWithValue, Func<string, bool> isPinned)
    {
        foreach (var run in Runs(document))
        {
            var unpinned = new List<string>();
            foreach (var command in Script(run).Commands.Where(isInstall))
            {
                unpinned.AddRange(Packages(command, subCommand, optionsWithValue)
                    .Where(p => !p.Contains('$', StringComparison.Ordinal) && !isPinned(p)));
            }

            if (unpinned.Count > 0)
            {
                yield return DockerfileRuleHit.At(run, $"unpinned: {string.Join(", ", unpinned.Take(10))}");
            }
        }
    }

    /// <summary>The package arguments after the sub-command (install/add), skipping options and their values.</summary>
    private static IEnumerable<string> Packages(ShellCommand command, string? subCommand, string[] optionsWithValue)
    {
        var args = command.Arguments;
        var seenSub = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith('-'))
            {
                if (optionsWithValue.Contains(arg))
                {
                    i++;
                }

                continue;
            }

            if (!seenSub)
            {
                // python -m pip install: skip "pip" before the sub-command.
                if (subCommand is null || arg == subCommand)
                {
                    seenSub = true;
                }

                continue;
            }

            yield return arg;
        }
    }

    private static bool IsPipInstall(ShellCommand command)
    {
        if (PipRegex().IsMatch(command.Name))
        {
            return command.SubCommand(s_pipOptionsWithValue) == "install";
        }

        if (PythonRegex().IsMatch(command.Name))
        {
            var args = command.Arguments;
            var m = args.ToList().IndexOf("-m");
            return m >= 0 && m + 2 < args.Count && args[m + 1] == "pip" && args[m + 2] == "install";
        }

        return false;
    }

    private static bool IsPinnedPip(string package) =>
        package.Contains("==", StringComparison.Ordinal) || package.IndexOfAny(['<', '>', '~', '!', '@', '/']) >= 0
        || package.StartsWith('.') || package == "pip" || package == "-"
        || package.EndsWith(".whl", StringComparison.OrdinalIgnoreCase) || package.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
        || package.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    private static bool IsPinnedNpm(string package) =>
        package.LastIndexOf('@') > 0 || package.StartsWith('.') || package.StartsWith('/') || package.Contains("://", StringComparison.Ordinal)
        || package.StartsWith("git", StringComparison.Ordinal) || package.StartsWith("github:", StringComparison.Ordinal)
        || package.EndsWith(".tgz", StringComparison.Ordinal) || package.EndsWith(".tar.gz", StringComparison.Ordinal);

    private static IEnumerable<DockerfileRuleHit> AptListsKept(DockerfileDocument document)
    {
        var final = document.FinalStage;
        if (final is null)
        {
            yield break;
        }

        foreach (var stage in StageChain(final).Reverse())
        {
            foreach (var run in stage.Instructions.Where(i => i.Keyword == "RUN"))
            {
                var commands = Script(run).Commands;
                if (!commands.Any(c => c.Is("apt-get", "install", s_aptGetOptionsWithValue) || c.Is("apt", "install", s_aptGetOptionsWithValue)))
                {
                    continue;
                }

                var removes = commands.Any(c => c.Name == "rm" && c.Arguments.Any(a => a.StartsWith("/var/lib/apt/lists", StringComparison.Ordinal)));
                var cached = run.Flags.Any(f => f.Name == "mount" && f.Value is not null && f.Value.Contains("/var/lib/apt", StringComparison.Ordinal));
                if (!removes && !cached)
                {
                    yield return DockerfileRuleHit.At(run, "apt-get install without 'rm -rf /var/lib/apt/lists/*'");
                }
            }
        }
    }

    private static IEnumerable<DockerfileRuleHit> PipCache(DockerfileDocument document)
    {
        foreach (var stage in document.Stages)
        {
            var noCacheEnv = StageChain(stage).Any(s => s.Instructions.Any(i => i.Keyword is "ENV" or "ARG"
                && DockerfileParser.ParseKeyValues(i.Command, i.Keyword == "ENV").Any(kv => kv.Key == "PIP_NO_CACHE_DIR" && kv.Value is not (null or "0" or "false" or "off"))));
            if (noCacheEnv)
            {
                continue;
            }

            foreach (var run in stage.Instructions.Where(i => i.Keyword == "RUN"))
            {
                var cached = run.Flags.Any(f => f.Name == "mount" && f.Value is not null && f.Value.Contains("pip", StringComparison.Ordinal));
                if (!cached && Script(run).Commands.Any(c => IsPipInstall(c) && !c.HasOption("--no-cache-dir")))
                {
                    yield return DockerfileRuleHit.At(run, "pip install without --no-cache-dir");
                }
            }
        }
    }

    private static IEnumerable<DockerfileRuleHit> ConsecutiveRuns(DockerfileDocument document)
    {
        foreach (var stage in document.Stages)
        {
            for (var i = 1; i < stage.Instructions.Count; i++)
            {
                var previous = stage.Instructions[i - 1];
                var current = stage.Instructions[i];
                if (previous.Keyword == "RUN" && current.Keyword == "RUN" && SameFlags(previous, current))
                {
                    yield return DockerfileRuleHit.At(current, $"RUN follows the RUN on line {previous.Line}");
                }
            }
        }
    }

    private static bool SameFlags(DockerInstruction a, DockerInstruction b) =>
        a.Flags.Count == b.Flags.Count && a.Flags.Zip(b.Flags).All(p => p.First == p.Second);

    private static IEnumerable<DockerfileRuleHit> PipeWithoutPipefail(DockerfileDocument document)
    {
        foreach (var stage in document.Stages)
        {
            IReadOnlyList<string>? shell = StageChain(stage).Skip(1)
                .Select(s => s.Instructions.LastOrDefault(i => i.Keyword == "SHELL")?.JsonArguments)
                .FirstOrDefault(s => s is not null);
            foreach (var instruction in stage.Instructions)
            {
                if (instruction.Keyword == "SHELL")
                {
                    shell = instruction.JsonArguments;
                    continue;
                }

                if (instruction.Keyword != "RUN" || instruction.IsJsonForm)
                {
                    continue;
                }

                if (shell is { Count: > 0 } && !s_posixShells.Contains(Path.GetFileName(shell[0])))
                {
                    continue; // pwsh, cmd: pipefail does not apply
                }

                var pipefail = shell is not null && shell.Contains("pipefail");
                var script = Script(instruction);
                var setsPipefail = script.Commands.Any(c => c.Name == "set" && c.Arguments.Contains("pipefail"));
                if (script.HasPipe && !pipefail && !setsPipefail)
                {
                    yield return DockerfileRuleHit.At(instruction, "RUN pipes without pipefail");
                }
            }
        }
    }
}
