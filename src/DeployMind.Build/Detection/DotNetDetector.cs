using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

internal sealed partial class DotNetDetector : ILanguageDetector
{
    public string LookedFor => ".NET: a *.csproj with Sdk=\"Microsoft.NET.Sdk.Web\" (ASP.NET Core)";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        var projects = tree.FilesWithExtension(3, ".csproj", ".fsproj").ToList();
        if (projects.Count == 0)
        {
            return null;
        }

        var candidate = new LanguageCandidate(AppLanguage.DotNet) { DefaultPort = 8080, PackageManager = "dotnet" };
        candidate.Add(projects[0], ".NET project", 0.4);
        candidate.Manifests.AddRange(projects);
        candidate.AddManifestIfExists(tree, "global.json", "NuGet.config", "nuget.config", "Directory.Build.props", "Directory.Packages.props", "Directory.Build.targets");

        var web = projects
            .Where(p => (tree.Read(p) ?? "").Contains("Microsoft.NET.Sdk.Web", StringComparison.Ordinal))
            .OrderBy(p => p.Contains("test", StringComparison.OrdinalIgnoreCase) ? 1 : 0)
            .ThenBy(SourceTree.Depth)
            .FirstOrDefault();
        if (web is null)
        {
            candidate.Problem = "no project uses Sdk=\"Microsoft.NET.Sdk.Web\"; only ASP.NET Core applications are detected";
            return candidate;
        }

        var text = tree.Read(web) ?? "";
        candidate.Framework = "aspnetcore";
        candidate.EntryPoint = web;
        candidate.Add(web, "Sdk=Microsoft.NET.Sdk.Web -> ASP.NET Core", 0.4);
        var assembly = AssemblyName().Match(text) is { Success: true } name ? name.Groups[1].Value : Path.GetFileNameWithoutExtension(web);
        candidate.StartCommand = $"dotnet {assembly}.dll";
        if (TargetFramework().Match(text) is { Success: true } framework)
        {
            candidate.LanguageVersion = framework.Groups[1].Value;
            candidate.Add(web, $"targets net{candidate.LanguageVersion}");
        }

        var directory = web.Contains('/', StringComparison.Ordinal) ? web[..(web.LastIndexOf('/') + 1)] : "";
        var sources = tree.FilesWithExtension(6, ".cs").Where(f => f.StartsWith(directory, StringComparison.Ordinal)).ToList();
        candidate.Port = Inference.PortFromDotEnv(tree, candidate) ?? Inference.PortFromCode(tree, sources, candidate, UrlPort());
        candidate.HealthPath = Inference.HealthPathFromCode(tree, sources, candidate);
        return candidate;
    }

    [GeneratedRegex(@"<AssemblyName>\s*([^<\s]+)\s*</AssemblyName>")]
    private static partial Regex AssemblyName();

    [GeneratedRegex(@"<TargetFrameworks?>\s*net(\d+\.\d+)")]
    private static partial Regex TargetFramework();

    [GeneratedRegex(@"(?:UseUrls|Run|Urls\.Add)\(\s*""https?://[^:""]+:(?<port>\d{2,5})")]
    private static partial Regex UrlPort();
}
