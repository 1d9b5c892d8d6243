using System.Collections.Frozen;
using DeployMind.Domain;

namespace DeployMind.Build.Generation;

/// <summary>
/// Base images by role (<c>node.build</c>, <c>node.runtime</c>, <c>go.runtime</c>, ...). Generated Dockerfiles take every FROM
/// from here, so online users get official images and air-gapped users point the roles at local images.
/// </summary>
public sealed class BaseImageMap
{
    /// <summary>Every role a generated Dockerfile may ask for.</summary>
    public static readonly IReadOnlyList<string> Roles =
    [
        "node.build", "node.runtime", "python.build", "python.runtime", "go.build", "go.runtime",
        "java.maven", "java.gradle", "java.runtime", "dotnet.build", "dotnet.runtime", "ruby.build", "ruby.runtime",
        "rust.build", "rust.runtime", "php.build", "php.runtime", "static.runtime",
    ];

    private readonly FrozenDictionary<string, BaseImage> _images;

    private BaseImageMap(IDictionary<string, BaseImage> images)
    {
        var missing = Roles.Where(r => !images.ContainsKey(r)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidInputException("base_images", $"base image map lacks roles: {string.Join(", ", missing)}");
        }

        _images = images.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Official images from Docker Hub, gcr.io and mcr.microsoft.com, tags pinned per language version.</summary>
    public static BaseImageMap Official { get; } = new(new Dictionary<string, BaseImage>
    {
        ["node.build"] = new() { Image = "node:{version}-alpine", DefaultVersion = "20", Family = PackageFamily.Apk },
        ["node.runtime"] = new() { Image = "node:{version}-alpine", DefaultVersion = "20", Family = PackageFamily.Apk },
        ["python.build"] = new() { Image = "python:{version}-slim", DefaultVersion = "3.12", Family = PackageFamily.Apt },
        ["python.runtime"] = new() { Image = "python:{version}-slim", DefaultVersion = "3.12", Family = PackageFamily.Apt },
        ["go.build"] = new() { Image = "golang:{version}", DefaultVersion = "1.22", Family = PackageFamily.Apt },
        ["go.runtime"] = new() { Image = "gcr.io/distroless/static:nonroot", Family = PackageFamily.None, User = "65532:65532", CreateUserCommand = "" },
        ["java.maven"] = new() { Image = "maven:3.9-eclipse-temurin-{version}", DefaultVersion = "21", Family = PackageFamily.Apt },
        ["java.gradle"] = new() { Image = "gradle:8.10-jdk{version}", DefaultVersion = "21", Family = PackageFamily.Apt },
        ["java.runtime"] = new() { Image = "eclipse-temurin:{version}-jre-alpine", DefaultVersion = "21", Family = PackageFamily.Apk },
        ["dotnet.build"] = new() { Image = "mcr.microsoft.com/dotnet/sdk:{version}", DefaultVersion = "8.0", Family = PackageFamily.Apt },
        ["dotnet.runtime"] = new() { Image = "mcr.microsoft.com/dotnet/aspnet:{version}-alpine", DefaultVersion = "8.0", Family = PackageFamily.Apk, CreateUserCommand = "" },
        ["ruby.build"] = new() { Image = "ruby:{version}-slim", DefaultVersion = "3.3", Family = PackageFamily.Apt },
        ["ruby.runtime"] = new() { Image = "ruby:{version}-slim", DefaultVersion = "3.3", Family = PackageFamily.Apt },
        ["rust.build"] = new() { Image = "rust:{version}-slim-bookworm", DefaultVersion = "1.79", Family = PackageFamily.Apt },
        ["rust.runtime"] = new() { Image = "gcr.io/distroless/cc-debian12:nonroot", Family = PackageFamily.None, User = "65532:65532", CreateUserCommand = "" },
        ["php.build"] = new() { Image = "composer:2.7", Family = PackageFamily.Apk },
        ["php.runtime"] = new() { Image = "php:{version}-cli-alpine", DefaultVersion = "8.3", Family = PackageFamily.Apk },
        ["static.runtime"] = new()
        {
            Image = "busybox:1.36", Family = PackageFamily.None, Probe = HttpProbeTool.Wget,
            CreateUserCommand = "addgroup -S app && adduser -S -D -H -G app app",
        },
    });

    /// <summary>The defaults: <see cref="Official"/>.</summary>
    public static BaseImageMap Default => Official;

    /// <summary>
    /// Local images for air-gapped machines: <c>{prefix}/&lt;lang&gt;:&lt;tag&gt;</c>, built FROM a debootstrap Debian bookworm image
    /// with the language from Debian packages (so the tags are bookworm's versions). Runtimes without their own
    /// interpreter use <c>{prefix}/base:bookworm</c>; the static site image adds the busybox package.
    /// </summary>
    public static BaseImageMap Offline(string prefix = "deploymind")
    {
        BaseImage Local(string name) => new() { Image = $"{prefix}/{name}", Family = PackageFamily.Apt };
        var node = Local("node:18");
        var python = Local("python:3.11");
        var java = Local("openjdk:17");
        var ruby = Local("ruby:3.1");
        var php = Local("php:8.2");
        return new BaseImageMap(new Dictionary<string, BaseImage>
        {
            ["node.build"] = node,
            // Runtimes without the package managers: npm alone is ~130 MB of Debian packages, pip ~25 MB.
            ["node.runtime"] = Local("node:18-slim"),
            ["python.build"] = python,
            ["python.runtime"] = Local("python:3.11-slim"),
            ["go.build"] = Local("golang:1.19"),
            ["go.runtime"] = Local("base:bookworm"),
            ["java.maven"] = Local("maven:3.8"),
            ["java.gradle"] = Local("gradle:4.4"),
            ["java.runtime"] = java,
            ["dotnet.build"] = Local("dotnet-sdk:8.0"),
            ["dotnet.runtime"] = Local("dotnet-aspnet:8.0"),
            ["ruby.build"] = ruby,
            ["ruby.runtime"] = ruby,
            ["rust.build"] = Local("rust:1.63"),
            ["rust.runtime"] = Local("base:bookworm"),
            ["php.build"] = Local("composer:2.5"),
            ["php.runtime"] = php,
            ["static.runtime"] = Local("static:bookworm") with { Probe = HttpProbeTool.Wget },
        });
    }

    public BaseImage this[string role] => _images.TryGetValue(role, out var image)
        ? image
        : throw new InvalidInputException("base_images", $"unknown base image role '{role}'; known roles: {string.Join(", ", Roles)}");

    public IEnumerable<KeyValuePair<string, BaseImage>> Entries => Roles.Select(r => new KeyValuePair<string, BaseImage>(r, _images[r]));

    /// <summary>A copy with one role replaced.</summary>
    public BaseImageMap With(string role, BaseImage image)
    {
        var problems = Validate(role, image).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidInputException("base_images", string.Join(Environment.NewLine, problems));
        }

        var copy = _images.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        copy[role] = image;
        return new BaseImageMap(copy);
    }

    /// <summary>
    /// Overrides from configuration (e.g. the <c>BaseImages</c> section): <c>preset</c> = official|offline, <c>offline-prefix</c>,
    /// and per role <c>&lt;role&gt;</c> or <c>&lt;role&gt;:image</c>, <c>&lt;role&gt;:family</c> (apk|apt|none), <c>&lt;role&gt;:user</c>,
    /// <c>&lt;role&gt;:create-user</c>, <c>&lt;role&gt;:probe</c> (none|wget|curl), <c>&lt;role&gt;:default-version</c>.
    /// Every problem is reported at once.
    /// </summary>
    /// <exception cref="InvalidInputException">A key or value is wrong; the message lists them all with a fix.</exception>
    public static BaseImageMap FromConfiguration(IReadOnlyDictionary<string, string?> settings)
    {
        var problems = new List<string>();
        var values = settings.ToDictionary(p => p.Key.Trim().ToLowerInvariant().Replace("__", ":", StringComparison.Ordinal), p => p.Value?.Trim(), StringComparer.Ordinal);
        var preset = values.GetValueOrDefault("preset") ?? "official";
        var prefix = values.GetValueOrDefault("offline-prefix") ?? "deploymind";
        BaseImageMap start;
        switch (preset)
        {
            case "official":
                start = Official;
                break;
            case "offline":
                start = Offline(prefix);
                break;
            default:
                problems.Add($"preset: '{preset}' is not a preset; use 'official' or 'offline'");
                start = Official;
                break;
        }

        var images = start._images.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (key is "preset" or "offline-prefix")
            {
                continue;
            }

            var colon = key.IndexOf(':', StringComparison.Ordinal);
            var role = colon < 0 ? key : key[..colon];
            var field = colon < 0 ? "image" : key[(colon + 1)..];
            if (!images.TryGetValue(role, out var image))
            {
                problems.Add($"{key}: unknown role '{role}'; known roles: {string.Join(", ", Roles)}");
                continue;
            }

            if (string.IsNullOrEmpty(value) && field != "create-user")
            {
                problems.Add($"{key}: empty value");
                continue;
            }

            switch (field)
            {
                case "image":
                    images[role] = image with { Image = value! };
                    break;
                case "family" when WireValues.TryParse<PackageFamily>(value, out var family):
                    images[role] = image with { Family = family };
                    break;
                case "family":
                    problems.Add($"{key}: '{value}' is not a package family; use apk, apt or none");
                    break;
                case "user":
                    images[role] = image with { User = value! };
                    break;
                case "create-user":
                    images[role] = image with { CreateUserCommand = value ?? "" };
                    break;
                case "probe" when WireValues.TryParse<HttpProbeTool>(value, out var probe):
                    images[role] = image with { Probe = probe };
                    break;
                case "probe":
                    problems.Add($"{key}: '{value}' is not a probe tool; use none, wget or curl");
                    break;
                case "default-version":
                    images[role] = image with { DefaultVersion = value };
                    break;
                default:
                    problems.Add($"{key}: unknown setting '{field}'; use image, family, user, create-user, probe or default-version");
                    break;
            }
        }

        problems.AddRange(images.SelectMany(p => Validate(p.Key, p.Value)));
        if (problems.Count > 0)
        {
            throw new InvalidInputException("base_images",
                $"base image configuration has {problems.Count} problem(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
        }

        return new BaseImageMap(images);
    }

    private static IEnumerable<string> Validate(string role, BaseImage image)
    {
        if (!Roles.Contains(role))
        {
            yield return $"{role}: unknown role; known roles: {string.Join(", ", Roles)}";
        }

        var reference = image.Image;
        var lastSlash = reference.LastIndexOf('/');
        var tagStart = reference.IndexOf(':', lastSlash + 1);
        var tag = tagStart < 0 ? null : reference[(tagStart + 1)..];
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            yield break;
        }

        if (string.IsNullOrEmpty(tag))
        {
            yield return $"{role}: image '{reference}' has no tag; pin one (e.g. {reference}:1.2) so builds are reproducible";
        }
        else if (tag.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{role}: image '{reference}' uses ':latest'; pin a version tag so builds are reproducible";
        }

        if (reference.Contains("{version}", StringComparison.Ordinal) && image.DefaultVersion is null)
        {
            yield return $"{role}: image '{reference}' has a {{version}} placeholder; set {role}:default-version too";
        }
    }
}
