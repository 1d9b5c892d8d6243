using DeployMind.Domain;

namespace DeployMind.Build.Images;

/// <summary>
/// One offline base image: built FROM the debootstrap Debian image with Debian packages, so nothing comes from Docker Hub.
/// The references match <see cref="Generation.BaseImageMap.Offline"/>.
/// </summary>
public sealed record BaseImageRecipe(string Name, string Repository, string Tag, IReadOnlyList<string> DebianPackages, bool InDefaultSet, string Purpose)
{
    /// <summary>
    /// The recipe this image is built FROM (the base when null). A build image stacked on its runtime image installs only what
    /// the runtime lacks, and both share those layers on disk and in a registry.
    /// </summary>
    public string? Parent { get; init; }

    /// <summary>The debootstrap root every other image is built from.</summary>
    public const string BaseName = "base";

    public bool IsBase => Name == BaseName;

    public string Reference(string prefix) => $"{prefix}/{Repository}:{Tag}";

    /// <summary>Every image the offline map names that Debian can provide, in build order (base first).</summary>
    public static IReadOnlyList<BaseImageRecipe> All { get; } =
    [
        new(BaseName, "base", "bookworm", [], true, "Debian bookworm minbase; also the Go and Rust runtime"),
        new("node-slim", "node", "18-slim", ["nodejs", "ca-certificates"], true, "Node.js runtime without npm"),
        new("node", "node", "18", ["nodejs", "npm", "ca-certificates"], true, "Node.js build (npm)") { Parent = "node-slim" },
        new("python-slim", "python", "3.11-slim", ["python3", "ca-certificates"], true, "Python runtime without pip"),
        new("python", "python", "3.11", ["python3", "python3-pip", "python3-venv", "ca-certificates"], true, "Python build (pip, venv)") { Parent = "python-slim" },
        new("golang", "golang", "1.19", ["golang-go", "git", "ca-certificates"], true, "Go toolchain"),
        new("static", "static", "bookworm", ["busybox"], true, "static sites (busybox httpd)"),
        new("openjdk", "openjdk", "17", ["openjdk-17-jre-headless"], false, "Java runtime"),
        new("maven", "maven", "3.8", ["maven", "openjdk-17-jdk-headless"], false, "Java build with Maven") { Parent = "openjdk" },
        new("gradle", "gradle", "4.4", ["gradle", "openjdk-17-jdk-headless"], false, "Java build with Gradle") { Parent = "openjdk" },
        new("ruby", "ruby", "3.1", ["ruby", "ruby-dev", "bundler", "build-essential"], false, "Ruby build and runtime"),
        new("php", "php", "8.2", ["php-cli"], false, "PHP runtime"),
        new("composer", "composer", "2.5", ["composer", "php-cli", "unzip"], false, "PHP build with Composer") { Parent = "php" },
        new("rust", "rust", "1.63", ["rustc", "cargo"], false, "Rust toolchain"),
    ];

    /// <summary>Names the offline map uses that Debian has no package for; asked for, they get a clear refusal.</summary>
    public static IReadOnlyDictionary<string, string> Unavailable { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dotnet-sdk"] = ".NET is not packaged by Debian bookworm; import Microsoft's images into the engine yourself (docker load) or set build.base_images for dotnet.build/dotnet.runtime",
        ["dotnet-aspnet"] = ".NET is not packaged by Debian bookworm; import Microsoft's images into the engine yourself (docker load) or set build.base_images for dotnet.build/dotnet.runtime",
    };

    /// <summary>
    /// The recipes to build, parents before children: the default set, everything with <paramref name="all"/>, or the named ones
    /// (plus the base and the parents they need).
    /// </summary>
    /// <exception cref="InvalidInputException">A name is unknown or cannot be built from Debian packages.</exception>
    public static IReadOnlyList<BaseImageRecipe> Select(IReadOnlyCollection<string> only, bool all)
    {
        if (only.Count == 0)
        {
            return all ? All : [.. All.Where(r => r.InDefaultSet)];
        }

        var problems = new List<string>();
        foreach (var name in only)
        {
            if (Unavailable.TryGetValue(name, out var why))
            {
                problems.Add($"'{name}': {why}");
            }
            else if (All.All(r => r.Name != name))
            {
                problems.Add($"'{name}' is not a base image; known: {string.Join(", ", All.Select(r => r.Name))}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidInputException("--only", string.Join("; ", problems));
        }

        var wanted = new HashSet<string>(only, StringComparer.Ordinal) { BaseName };
        foreach (var name in only)
        {
            for (var parent = Find(name).Parent; parent is not null; parent = Find(parent).Parent)
            {
                wanted.Add(parent);
            }
        }

        return [.. All.Where(r => wanted.Contains(r.Name))];
    }

    private static BaseImageRecipe Find(string name) => All.Single(r => r.Name == name);

    /// <summary>The image this one is built FROM.</summary>
    public string ParentReference(string prefix) => Find(Parent ?? BaseName).Reference(prefix);

    /// <summary>The Dockerfile of a language image: one layer installing the packages, apt caches removed in the same layer.</summary>
    public string Dockerfile(string prefix) =>
        $"""
        FROM {ParentReference(prefix)}
        LABEL org.deploymind.base-image="{Name}"
        # The mirror may be a dated snapshot whose Release files are past their Valid-Until; its signatures are still checked.
        RUN apt-get -o Acquire::Check-Valid-Until=false update \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {string.Join(' ', DebianPackages)} \
         && apt-get clean \
         && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
        """ + "\n";
}
